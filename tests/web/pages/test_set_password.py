"""The set-password page: one page for unknown, used and expired links; then sign in."""

from datetime import timedelta

import pytest
import time_machine

from dme_service.models import utcnow
from dme_service.services.clinic import password_links

NEW = "three unrelated words here"


@pytest.fixture
def link_path(db_session, make_user):
    user = make_user("clinician", password="")
    user.password_hash = ""
    db_session.commit()
    issued = password_links.issue(db_session, user, "http://localhost")
    db_session.commit()
    return user, issued.url.removeprefix("http://localhost")


def test_the_link_sets_a_password_and_the_user_signs_in(client, link_path):
    user, path = link_path
    page = client.get(path)
    assert page.status_code == 200 and user.email in page.get_data(as_text=True)
    done = client.post(path, data={"password": NEW, "again": NEW})
    assert done.status_code == 303 and "reason=password_set" in done.headers["Location"]
    told = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Sign in with your e-mail address and your new password." in told
    signed = client.post("/login", data={"email": user.email, "password": NEW})
    assert signed.status_code == 303


def test_unknown_used_and_expired_links_get_the_same_page(client, link_path):
    _user, path = link_path
    unknown = client.get("/set-password/" + "A" * 43)
    with time_machine.travel(utcnow() + timedelta(hours=73)):
        expired = client.get(path)
    client.post(path, data={"password": NEW, "again": NEW})
    used = client.get(path)
    bodies = {r.get_data(as_text=True) for r in (unknown, expired, used)}
    assert {r.status_code for r in (unknown, expired, used)} == {404}
    assert len(bodies) == 1 and "no longer works" in bodies.pop()


def test_a_weak_password_comes_back_with_the_rule(client, link_path):
    _user, path = link_path
    page = client.post(path, data={"password": "password1234", "again": "password1234"})
    assert page.status_code == 422
    assert "commonly used passwords" in page.get_data(as_text=True)
    assert client.get(path).status_code == 200  # still usable


def test_an_invited_user_cannot_sign_in_before_setting_a_password(client, link_path):
    user, _path = link_path
    refused = client.post("/login", data={"email": user.email, "password": ""})
    assert refused.status_code != 303
