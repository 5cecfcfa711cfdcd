"""Signatures in ink on the web (issue 13): print, upload (type by content, up to 10 MiB)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from services.claim_cases import stored_case


def big_png(size: int) -> bytes:
    """A valid PNG padded with an ancillary chunk to about `size` bytes."""
    import struct
    import zlib

    out = io.BytesIO()
    Image.new("L", (40, 40), 255).save(out, "PNG")
    data = out.getvalue()
    filler = b"x" * size
    chunk = struct.pack(">I", len(filler)) + b"zzZz" + filler
    chunk += struct.pack(">I", zlib.crc32(b"zzZz" + filler) & 0xFFFFFFFF)
    return data[:33] + chunk + data[33:]


@pytest.fixture
def routed(db_session, signed_in, make_user):
    client, clinician = signed_in("clinician", credential="PT")
    doctor = make_user("practitioner", credential="MD", name="Pat Rivera")
    case = stored_case(db_session, clinician, doctor)
    return client, case


def upload(client, case, content: bytes, name: str = "scan.pdf"):
    return client.post(
        f"/signing/cases/{case.id}/ink",
        data={"version": str(case.version), "scan": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_the_page_offers_the_print_and_the_upload(routed):
    client, case = routed
    page = client.get(f"/signing/cases/{case.id}/ink").get_data(as_text=True)
    assert "Print the order and letter (PDF)" in page and 'type="file"' in page
    pdf = client.get(f"/signing/cases/{case.id}/ink.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")


def test_a_scan_over_1_mib_is_accepted_and_signs(routed):
    client, case = routed
    response = upload(client, case, big_png(3 * 1024 * 1024), "scan.png")
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    history = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "In ink, on paper" in history and "Download scan" in history


@pytest.mark.parametrize("version", ["", "x", "\x00"])
def test_a_page_without_its_version_says_so_at_the_scan(routed, version):
    """The hidden version has no place of its own on the page: the answer said nothing."""
    client, case = routed
    response = client.post(
        f"/signing/cases/{case.id}/ink",
        data={"version": version, "scan": (io.BytesIO(b"%PDF-1.4"), "scan.pdf")},
        content_type="multipart/form-data",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The page was incomplete: nothing was stored. Upload the scan again." in text
    assert f"/ink?version={case.version}" in text  # a retry goes with the version now


def test_a_file_that_is_not_a_scan_is_refused_at_the_field(routed):
    client, case = routed
    response = upload(client, case, b"<html>not a scan</html>", "scan.pdf")
    assert response.status_code == 422
    assert "not a readable PDF, PNG or JPEG" in response.get_data(as_text=True)


def test_more_than_10_mib_comes_back_to_the_form_with_the_message_at_the_field(routed):
    client, case = routed
    response = client.post(
        f"/signing/cases/{case.id}/ink?version={case.version}",
        data={"version": str(case.version), "scan": (io.BytesIO(big_png(11 << 20)), "s.png")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert 'id="scan-error">The file is larger than 10 MB.' in page
    assert 'aria-invalid="true"' in page and 'type="file"' in page  # the form, not "Too large"
    assert f'name="version" type="hidden" value="{case.version}"' in page
    assert f"/signing/cases/{case.id}/ink?version={case.version}" in page


def test_just_over_10_mib_is_refused_with_the_same_words(routed):
    client, case = routed
    response = upload(client, case, big_png(10 * 1024 * 1024 + 100), "scan.png")
    assert response.status_code == 422
    assert "The file is larger than 10 MB." in response.get_data(as_text=True)
