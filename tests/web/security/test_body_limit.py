"""Length-less (chunked) request bodies over MAX_CONTENT_LENGTH are refused (pen test I2)."""

from __future__ import annotations

import io
import json

from sample_case import case_doc

from web.api_helpers import bearer, token_for


def _chunked(client, headers, body: bytes):
    return client.post(
        "/api/v1/evaluate",
        input_stream=io.BytesIO(body),
        headers={**headers, "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        # as gunicorn sets it for a chunked request: the server ends the stream
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_pentest_i2_a_chunked_body_over_the_limit_is_413_not_cut(client, db_session, make_user):
    """I2: valid JSON followed by spaces, 2.6 MB, was cut at 1 MiB and answered 200."""
    headers = bearer(token_for(db_session, make_user("billing")))
    body = json.dumps(case_doc()).encode() + b" " * (2_600_000)
    assert _chunked(client, headers, body).status_code == 413


def test_a_small_chunked_body_is_read_as_usual(client, db_session, make_user):
    headers = bearer(token_for(db_session, make_user("billing")))
    response = _chunked(client, headers, json.dumps(case_doc()).encode())
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
