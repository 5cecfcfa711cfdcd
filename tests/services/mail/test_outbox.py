"""Sending mail: a real SMTP server on loopback, or instance/outbox/ without DME_SMTP_URL."""

import logging

import pytest

from dme_service.services.mail import messages, outbox
from dme_service.services.mail.outbox import MailSettings


def _waiting(count=3):
    return messages.orders_waiting(
        to="md@ortho.example",
        name="Dr Okafor",
        clinic="Lakeside PT",
        count=count,
        url="https://dme.example.org/",
        account_url="https://dme.example.org/account/mail",
    )


def test_without_smtp_the_message_is_written_and_logged(tmp_path, caplog):
    settings = MailSettings(None, "DME <dme@x.org>", tmp_path / "outbox")
    with caplog.at_level(logging.INFO, logger="dme_service.services.mail.outbox"):
        where = outbox.send(_waiting(), settings)
    (path,) = (tmp_path / "outbox").glob("*.eml")
    assert where == f"written to {path}"
    assert f"mail written to {path}" in caplog.text
    assert b"3 orders await your signature" in path.read_bytes()


def test_an_outbox_message_is_readable_by_the_service_alone(tmp_path):
    """A written invitation holds a working set-password link: no other account on the
    machine may read it, nor list the folder."""
    settings = MailSettings(None, "DME <dme@x.org>", tmp_path / "outbox")
    outbox.send(_waiting(), settings)
    (path,) = (tmp_path / "outbox").glob("*.eml")
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "outbox").stat().st_mode & 0o777 == 0o700


def test_smtp_delivers_to_the_server(smtp_server, tmp_path):
    settings = MailSettings(smtp_server.url, "DME <dme@x.org>", tmp_path / "outbox")
    assert outbox.send(_waiting(1), settings) == "sent to md@ortho.example"
    (mail,) = smtp_server.messages
    assert mail["Subject"] == "1 order awaits your signature"
    assert mail["X-DME-Kind"] == "orders_waiting"
    assert not (tmp_path / "outbox").exists()


def test_a_server_that_is_down_fails_without_the_password(tmp_path):
    settings = MailSettings("smtp://me:s3cret@127.0.0.1:9", "d@x.org", tmp_path)
    with pytest.raises(outbox.MailFailed) as failed:
        outbox.send(_waiting(), settings)
    assert "s3cret" not in str(failed.value)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True), ("mail.example.org", False)],
)
def test_only_a_loopback_relay_may_skip_starttls(host, loopback):
    assert outbox.is_loopback(host) is loopback
