"""Settings: defaults, the `DME_` environment, the instance secret key and production refusals.

Every setting can come from the environment with the `DME_` prefix (docs/security.md CI-3 lists what
production refuses). The embedded default is a SQLite file and a random secret key generated into
the instance folder on first run; neither is ever a constant in the code.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent  # the repository: templates/, static/, instance/
MIN_SECRET_KEY_BYTES = 32
MAX_CONTENT_LENGTH = 1024 * 1024  # 1 MiB: the largest case document or form is a few kB
INSTANCE_KEY_FILENAME = "secret_key"
DEV_TRUSTED_HOSTS = ["127.0.0.1", "localhost"]
DEV_BASE_URL = "http://localhost:5000"  # `make run`'s address
DEV_MAIL_FROM = "DME Service <dme-service@localhost>"

log = logging.getLogger(__name__)


class ConfigError(RuntimeError):
    """The configuration is unsafe or unusable; the message names the setting."""


def env_flag(name: str, default: bool) -> bool:
    """A boolean `DME_<name>` setting: 1/true/yes/on or 0/false/no/off."""
    raw = os.environ.get(f"DME_{name}")
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"DME_{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_list(name: str) -> list[str] | None:
    """A comma-separated `DME_<name>` setting, or None when unset."""
    raw = os.environ.get(f"DME_{name}")
    if raw is None or raw.strip() == "":
        return None
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_count(name: str, default: int = 0) -> int:
    """A whole-number `DME_<name>` setting of 0 or more."""
    raw = os.environ.get(f"DME_{name}")
    if raw is None or raw.strip() == "":
        return default
    if not re.fullmatch(r"[0-9]+", raw.strip()):
        raise ConfigError(f"DME_{name}={raw!r} is not a whole number of 0 or more")
    return int(raw.strip())


def instance_path_from_env() -> str:
    """DME_INSTANCE_PATH as an absolute path, else the repository's instance/ folder."""
    raw = os.environ.get("DME_INSTANCE_PATH")
    return str(Path(raw).expanduser().resolve()) if raw else str(ROOT / "instance")


def database_url_from_env() -> str:
    """DME_DATABASE_URL, else the embedded SQLite file (what create_app would use)."""
    return os.environ.get("DME_DATABASE_URL") or default_database_url(instance_path_from_env())


def default_database_url(instance_path: str) -> str:
    """The embedded default: a SQLite file in the instance folder."""
    return "sqlite:///" + str(Path(instance_path) / "dme.sqlite3")


def settings_from_env(instance_path: str, debug: bool = False) -> dict[str, Any]:
    """Every setting read from the environment, with the development defaults.

    `debug` is Flask's own default (FLASK_DEBUG), so production also refuses that switch.
    """
    env = os.environ.get("DME_ENV", "development").strip().lower() or "development"
    production = env == "production"
    return {
        "ENV_NAME": env,
        "DEBUG": env_flag("DEBUG", debug),
        "TESTING": env_flag("TESTING", False),
        "DATABASE_URL": os.environ.get("DME_DATABASE_URL") or default_database_url(instance_path),
        "SESSION_COOKIE_SECURE": env_flag("SESSION_COOKIE_SECURE", production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "TRUSTED_HOSTS": env_list("TRUSTED_HOSTS") or (None if production else DEV_TRUSTED_HOSTS),
        # Proxies in front of the app whose X-Forwarded-* headers count; 0 trusts none, since
        # a client can send those headers itself (forged addresses, Host, https).
        "TRUSTED_PROXIES": env_count("TRUSTED_PROXIES"),
        # AUTH-6: admins give a one-time TOTP code after their password (off by default).
        "ADMIN_TOTP": env_flag("ADMIN_TOTP", False),
        # Where people reach the service: set-password links and mails are built on it.
        "BASE_URL": base_url_from_env(production),
        # Mail (services/mail): without DME_SMTP_URL each message goes to instance/outbox/.
        "SMTP_URL": smtp_url_from_env(),
        "MAIL_FROM": mail_from_from_env(),
        # CDS Hooks (README "Connecting an EHR"): the EHRs whose JWTs are trusted, and their
        # keys (a JWKS file or URL). Both or neither; checked in check_cds_hooks.
        "CDS_HOOKS_ISSUERS": env_list("CDS_HOOKS_ISSUERS") or [],
        "CDS_HOOKS_JWKS": os.environ.get("DME_CDS_HOOKS_JWKS", "").strip(),
        "MAX_CONTENT_LENGTH": MAX_CONTENT_LENGTH,
        "MAX_FORM_MEMORY_SIZE": MAX_CONTENT_LENGTH,
        "LOG_LEVEL": os.environ.get("DME_LOG_LEVEL", "INFO").upper(),
        "SQL_ECHO": False,
    }


def base_url_from_env(production: bool = False) -> str | None:
    """DME_BASE_URL: the address people open, e.g. https://dme.example-clinic.org (no path
    query or fragment; https in production). Unset in development: http://localhost:5000."""
    raw = (os.environ.get("DME_BASE_URL") or "").strip()
    if not raw:
        return None if production else DEV_BASE_URL
    problem = base_url_problem(raw, production)
    if problem:
        raise ConfigError(f"DME_BASE_URL={raw!r} {problem}")
    return raw.rstrip("/")


def base_url_problem(raw: str, production: bool = False) -> str | None:
    """Why `raw` cannot be the service's public address, or None."""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an address like https://dme.example-clinic.org"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "must not carry a query, a fragment or a user name"
    if production and parts.scheme != "https":
        return "must start with https:// in production (links carry one-time tokens)"
    return None


def smtp_url_from_env() -> str | None:
    """DME_SMTP_URL: smtp://user:password@host:587 (STARTTLS) or smtps://...:465 (TLS)."""
    raw = (os.environ.get("DME_SMTP_URL") or "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ConfigError(
            f"DME_SMTP_URL={redact_url(raw)!r} has a port that is not a number"
        ) from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError(
            f"DME_SMTP_URL={redact_url(raw)!r} is not like smtp://user:password@host:587"
        )
    return raw


def mail_from_from_env() -> str:
    """DME_MAIL_FROM: the sender of every message, e.g. "Riverside PT <dme@riverside.example>"."""
    from email.utils import parseaddr

    raw = (os.environ.get("DME_MAIL_FROM") or "").strip()
    if not raw:
        return DEV_MAIL_FROM
    _name, address = parseaddr(raw)
    if "@" not in address or " " in address:
        raise ConfigError(f"DME_MAIL_FROM={raw!r} has no e-mail address in it")
    return raw


def instance_secret_key(instance_path: str) -> str:
    """Read the instance secret key, generating it (0600) on first run."""
    path = Path(instance_path) / INSTANCE_KEY_FILENAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two workers starting together must not both write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def load_config(app, test_config: dict[str, Any] | None = None) -> None:
    """Fill app.config from the environment, then test_config, then check production rules."""
    app.config.update(settings_from_env(app.instance_path, bool(app.config.get("DEBUG"))))
    env_key = os.environ.get("DME_SECRET_KEY")
    app.config["KEY_ORIGIN"] = "env" if env_key else "instance"
    if test_config:
        app.config.update(test_config)
        if "SECRET_KEY" in test_config:
            app.config["KEY_ORIGIN"] = "test_config"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = env_key or instance_secret_key(app.instance_path)
    check_cds_hooks(app.config)
    if app.config["ENV_NAME"] == "production":
        refuse_unsafe_production(app.config)


def check_cds_hooks(config) -> None:
    """Refuse to start with unusable CDS Hooks settings (the message names the setting)."""
    from dme_service.cds_hooks import settings

    production = config["ENV_NAME"] == "production"
    problems = settings.problems(
        config.get("CDS_HOOKS_ISSUERS") or [], config.get("CDS_HOOKS_JWKS") or "", production
    )
    if problems:
        raise ConfigError("; ".join(problems))


def refuse_unsafe_production(config) -> None:
    """Raise ConfigError naming every unsafe setting (docs/security.md CI-3)."""
    problems = production_problems(config)
    if problems:
        raise ConfigError("DME_ENV=production refuses to start: " + "; ".join(problems))
    if config["DATABASE_URL"].startswith("sqlite"):
        log.warning(
            "production is running on SQLite (%s); fine for one machine, use PostgreSQL "
            "(DME_DATABASE_URL) for more than one node",
            redact_url(config["DATABASE_URL"]),
        )


def production_problems(config) -> list[str]:
    """What production refuses, each naming its setting and the fix."""
    problems = []
    key = config.get("SECRET_KEY") or ""
    if config.get("KEY_ORIGIN") == "instance":
        problems.append("DME_SECRET_KEY is not set (a generated instance key does not count)")
    elif len(key.encode()) < MIN_SECRET_KEY_BYTES:
        problems.append(f"DME_SECRET_KEY is shorter than {MIN_SECRET_KEY_BYTES} bytes")
    if config.get("DEBUG"):
        problems.append("DME_DEBUG is on (the debugger runs code)")
    if config.get("TESTING"):
        problems.append("DME_TESTING is on")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("DME_SESSION_COOKIE_SECURE is off (cookies would travel over http)")
    if not config.get("TRUSTED_HOSTS"):
        problems.append("DME_TRUSTED_HOSTS is unset (any Host header would be accepted)")
    if not config.get("BASE_URL"):
        problems.append("DME_BASE_URL is unset (set-password links and mails need it)")
    url = config.get("DATABASE_URL", "")
    if url.startswith("postgresql") and postgres_sslmode(url) != "verify-full":
        problems.append("DME_DATABASE_URL lacks sslmode=verify-full for PostgreSQL")
    return problems


def postgres_sslmode(url: str) -> str | None:
    """The sslmode query parameter of a PostgreSQL URL."""
    values = parse_qs(urlsplit(url).query).get("sslmode")
    return values[-1] if values else None


def redact_url(url: str) -> str:
    """A database URL without its password, for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()
