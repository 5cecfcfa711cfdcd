"""Configuration: DME_ settings, the generated instance key, production refusals (CI-3), logs."""

import json
import logging
import os
import stat
import subprocess
import sys

import pytest

from dme_service import create_app
from dme_service.config import MAX_CONTENT_LENGTH, ConfigError
from dme_service.jsonlog import JsonFormatter

GOOD_KEY = "k" * 48


def production_env(tmp_path, **overrides) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DME_", "FLASK_"))}
    env.update(
        DME_ENV="production",
        DME_SECRET_KEY=GOOD_KEY,
        DME_TRUSTED_HOSTS="dme.example.org",
        DME_BASE_URL="https://dme.example.org",
        DME_INSTANCE_PATH=str(tmp_path / "instance"),
        DME_DATABASE_URL="sqlite:///" + str(tmp_path / "prod.sqlite3"),
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def start_app(env) -> subprocess.CompletedProcess:
    code = "from dme_service import create_app; create_app()"
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"DME_SECRET_KEY": None}, "DME_SECRET_KEY is not set"),
        ({"DME_SECRET_KEY": "short-key"}, "DME_SECRET_KEY is shorter than 32 bytes"),
        ({"DME_DEBUG": "1"}, "DME_DEBUG is on"),
        ({"FLASK_DEBUG": "1"}, "DME_DEBUG is on"),
        ({"DME_TESTING": "true"}, "DME_TESTING is on"),
        ({"DME_SESSION_COOKIE_SECURE": "0"}, "DME_SESSION_COOKIE_SECURE is off"),
        ({"DME_TRUSTED_HOSTS": None}, "DME_TRUSTED_HOSTS is unset"),
        ({"DME_BASE_URL": None}, "DME_BASE_URL is unset"),
        ({"DME_BASE_URL": "http://dme.example.org"}, "must start with https://"),
        ({"DME_BASE_URL": "dme.example.org"}, "is not an address like"),
        ({"DME_SMTP_URL": "mail.example.org:587"}, "DME_SMTP_URL="),
        ({"DME_MAIL_FROM": "nobody"}, "DME_MAIL_FROM='nobody' has no e-mail address"),
        (
            {"DME_DATABASE_URL": "postgresql+psycopg://dme@db.internal/dme?sslmode=require"},
            "DME_DATABASE_URL lacks sslmode=verify-full",
        ),
    ],
    ids=[
        "no secret key",
        "short secret key",
        "DME_DEBUG on",
        "FLASK_DEBUG on",
        "TESTING on",
        "insecure cookie",
        "no trusted hosts",
        "no base URL",
        "plain http base URL",
        "base URL without scheme",
        "SMTP URL without scheme",
        "sender without address",
        "postgres without verify-full",
    ],
)
def test_production_refuses_unsafe_setting_naming_it(tmp_path, overrides, named):
    result = start_app(production_env(tmp_path, **overrides))
    assert result.returncode != 0
    assert named in result.stderr


def test_production_refuses_a_generated_key_even_when_the_file_exists(tmp_path):
    development = production_env(tmp_path, DME_ENV="development", DME_SECRET_KEY=None)
    assert start_app(development).returncode == 0
    assert (tmp_path / "instance" / "secret_key").exists()
    result = start_app(production_env(tmp_path, DME_SECRET_KEY=None))
    assert result.returncode != 0 and "DME_SECRET_KEY is not set" in result.stderr


def test_safe_production_starts_and_notes_sqlite(tmp_path):
    result = start_app(production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "production is running on SQLite" in result.stderr


def test_safe_production_on_postgres_with_verify_full_starts(tmp_path):
    url = "postgresql+psycopg://dme@db.internal/dme?sslmode=verify-full"
    assert start_app(production_env(tmp_path, DME_DATABASE_URL=url)).returncode == 0


def test_first_run_generates_a_private_secret_key_and_reuses_it(tmp_path):
    first = create_app({"DATABASE_URL": "sqlite://"})
    key_file = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = create_app({"DATABASE_URL": "sqlite://"})
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) >= 32


def test_dme_secret_key_from_the_environment_wins(monkeypatch):
    monkeypatch.setenv("DME_SECRET_KEY", GOOD_KEY)
    assert create_app({"DATABASE_URL": "sqlite://"}).secret_key == GOOD_KEY


def test_settings_come_from_dme_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("DME_TRUSTED_HOSTS", "a.example, b.example")
    monkeypatch.setenv("DME_DATABASE_URL", "sqlite:///" + str(tmp_path / "x.sqlite3"))
    app = create_app()
    assert app.config["TRUSTED_HOSTS"] == ["a.example", "b.example"]
    assert app.config["DATABASE_URL"].endswith("x.sqlite3")


def test_embedded_default_is_sqlite_in_the_instance_folder(tmp_path):
    app = create_app()
    assert app.config["DATABASE_URL"] == "sqlite:///" + str(tmp_path / "instance" / "dme.sqlite3")


def test_a_bad_boolean_is_an_error_naming_the_setting(monkeypatch):
    monkeypatch.setenv("DME_DEBUG", "maybe")
    with pytest.raises(Exception, match="DME_DEBUG"):
        create_app()


def test_no_proxy_is_trusted_unless_configured():
    assert create_app({"DATABASE_URL": "sqlite://"}).config["TRUSTED_PROXIES"] == 0


def test_the_trusted_proxy_count_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DME_TRUSTED_PROXIES", " 2 ")
    assert create_app({"DATABASE_URL": "sqlite://"}).config["TRUSTED_PROXIES"] == 2


@pytest.mark.parametrize("raw", ["-1", "one", "1.5", "yes", "²"])
def test_a_bad_trusted_proxy_count_is_an_error_naming_the_setting(monkeypatch, raw):
    monkeypatch.setenv("DME_TRUSTED_PROXIES", raw)
    with pytest.raises(ConfigError, match="DME_TRUSTED_PROXIES=.* is not a whole number"):
        create_app({"DATABASE_URL": "sqlite://"})


def test_admin_totp_is_off_unless_configured():
    assert create_app({"DATABASE_URL": "sqlite://"}).config["ADMIN_TOTP"] is False


@pytest.mark.parametrize(("raw", "expected"), [("1", True), (" on ", True), ("false", False)])
def test_admin_totp_comes_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv("DME_ADMIN_TOTP", raw)
    assert create_app({"DATABASE_URL": "sqlite://"}).config["ADMIN_TOTP"] is expected


def test_a_bad_admin_totp_value_is_an_error_naming_the_setting(monkeypatch):
    monkeypatch.setenv("DME_ADMIN_TOTP", "required")
    with pytest.raises(ConfigError, match="DME_ADMIN_TOTP='required' is not a boolean"):
        create_app({"DATABASE_URL": "sqlite://"})


def test_the_app_refuses_to_start_with_a_bad_trusted_proxy_count(tmp_path):
    result = start_app(production_env(tmp_path, DME_TRUSTED_PROXIES="two"))
    assert result.returncode != 0
    assert "DME_TRUSTED_PROXIES='two' is not a whole number of 0 or more" in result.stderr


def test_request_bodies_are_limited_to_one_mebibyte(tmp_path):
    app = create_app({"DATABASE_URL": "sqlite://"})
    assert app.config["MAX_CONTENT_LENGTH"] == MAX_CONTENT_LENGTH == 1024 * 1024

    from flask import request
    from werkzeug.exceptions import RequestEntityTooLarge

    body = b"x" * (MAX_CONTENT_LENGTH + 1)
    with (
        app.test_request_context("/", method="POST", data=body),
        pytest.raises(RequestEntityTooLarge),
    ):
        request.get_data()


def test_templates_and_static_live_at_the_repository_root():
    app = create_app({"DATABASE_URL": "sqlite://"})
    assert app.template_folder.endswith("/templates")
    assert app.static_folder.endswith("/static")


def test_log_records_are_single_json_lines_even_with_newlines_in_input():
    record = logging.makeLogRecord(
        {
            "name": "dme_service.web",
            "levelname": "WARNING",
            "msg": "login failed for %s",
            "args": ("x\n2026-01-01 admin LOGIN OK",),
            "error_id": "E-7F3K2Q",
        }
    )
    line = JsonFormatter().format(record)
    parsed = json.loads(line)
    assert "\n" not in line
    assert (parsed["message"], parsed["error_id"]) == (
        "login failed for x\n2026-01-01 admin LOGIN OK",
        "E-7F3K2Q",
    )


def test_importing_the_package_loads_no_web_or_database_library():
    code = (
        "import sys, dme_service, dme_service.cli; "
        "heavy = {'flask', 'sqlalchemy', 'weasyprint'} & set(sys.modules); "
        "print(sorted(heavy)); sys.exit(1 if heavy else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout
