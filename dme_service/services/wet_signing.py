"""Signatures in ink, for practitioners who will not use a login.

The clinic prints the order and letter with lines for a signature in ink (`print_for_ink`),
the practitioner signs and dates them, and the clinic uploads the scan (`upload`): a PDF, PNG
or JPEG, recognised by its content (never its name), at most 10 MiB, stored with its SHA-256.
It counts as the treating practitioner's signature of that case version exactly like an
electronic one: the Signature row (method "wet") hashes the case content and the scan's digest
(security.md RET-2), so a later change voids it, the claim becomes ready the same way, and the
billing packet carries the scan instead of the unsigned pages (`append_scan`).
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.coding import codes
from dme_service.models import Case, Signature, SignatureScan, User, utcnow
from dme_service.rules.claim import CHOSEN_STATUSES, ROUTED_STATUSES
from dme_service.services import signing
from dme_service.services.clinic.clinic_time import local
from dme_service.services.order_reason import order_reason
from dme_service.store.cases import CaseNotFound, load_case, trial_records
from dme_service.store.history import history_of
from dme_service.store.signed_content import apply_seal, check_signature, seal

MAX_BYTES = 10 * 1024 * 1024  # 10 MiB
TOO_LARGE = (
    "The file is larger than 10 MB. Scan the signed pages again in black and white at "
    "150 to 300 dpi (or as a PDF) and upload that file. Nothing was saved."
)
MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
IMAGE_DPI = 150
MAX_SCAN_PAGES = 50  # a signed order and letter are a few pages; the packet carries at most these
SCAN_RENDER_SECONDS = 60


class ScanRefused(signing.SigningError):
    """The file or the case cannot take a signature in ink now; 422 for the file's faults."""

    status = 422


def media_type(content: bytes) -> str | None:
    """The scan's type read from its first bytes and confirmed by opening it; None if neither
    a readable PDF, PNG nor JPEG."""
    found = next((kind for magic, kind in MAGIC if content.startswith(magic)), None)
    if found is None:
        return None
    try:
        if found == "application/pdf":
            from pypdf import PdfReader

            if len(PdfReader(io.BytesIO(content)).pages) == 0:
                return None
        else:
            from PIL import Image

            with Image.open(io.BytesIO(content)) as image:
                image.verify()
    except Exception:  # noqa: BLE001 - any parser failure means "not a readable scan"
        return None
    return found


def check_file(content: bytes) -> str:
    if not content:
        raise ScanRefused("Choose the scanned file to upload.")
    if len(content) > MAX_BYTES:
        raise ScanRefused(TOO_LARGE)
    found = media_type(content)
    if found is None:
        raise ScanRefused("The file is not a readable PDF, PNG or JPEG. Scan it again as a PDF.")
    return found


def check_case(session: Session, case: Case) -> User:
    """The practitioner the case names, when an ink signature may be recorded now."""
    practitioner = case.treating_practitioner
    if practitioner is None or practitioner.credential not in signing.SIGNING_CREDENTIALS:
        raise signing.CannotSign(
            f"The order names no practitioner who may sign. {signing.WHO_MAY_SIGN}"
        )
    if not practitioner.npi or not codes.npi_is_valid(practitioner.npi):
        raise signing.CannotSign(f"{practitioner.name} has no valid NPI. {signing.WHO_MAY_SIGN}")
    if case.billing_state not in signing.SIGNABLE_STATES:
        raise signing.CannotSign(
            f"This case is {case.billing_state.replace('_', ' ')}, not awaiting signature."
        )
    if check_signature(session, case).valid:
        raise signing.CannotSign("This case is already signed.")
    if case.status not in ROUTED_STATUSES + CHOSEN_STATUSES:
        raise signing.CannotSign(
            f"The coverage decision is {case.status.replace('_', ' ')}: complete the case first."
        )
    return practitioner


def print_for_ink(session: Session, user: User, case_id: int) -> bytes:
    """The SWO and the LMN in one PDF, with lines for a signature in ink. Audited; commits."""
    case = load_case(session, user, case_id)
    check_case(session, case)
    return _order_and_letter(session, user, case, wet_ink=True, action="case.ink_print")


def order_for_review(session: Session, user: User, case_id: int) -> bytes:
    """The unsigned SWO and LMN in one PDF, for the practitioner to read before signing (an
    outside practitioner has no documents page). Audited; commits."""
    case = load_case(session, user, case_id)
    return _order_and_letter(session, user, case, wet_ink=False, action="case.review_print")


def _order_and_letter(session: Session, user: User, case: Case, *, wet_ink: bool, action: str):
    from pypdf import PdfWriter

    from dme_service.documents.render import render
    from dme_service.documents.types import DocumentRefused

    parsed, decision = signing.case_and_decision(case)
    clinic, zone = signing._clinic_line(case)
    now = local(utcnow(), zone)
    kinds = signing.SIGNED_KINDS if decision.status == "eligible" else ("swo",)
    # Read before the commit below expires the case; the paper order and letter print what the
    # electronic ones print (reason, history, each trial's therapist).
    history = history_of(case)
    records = trial_records(case)
    reason = order_reason(session, case)
    audit.case_event(session, user, action, case)
    session.commit()
    writer = PdfWriter()
    try:
        for kind in kinds:
            pdf = render(
                kind,
                parsed,
                decision,
                now=now,
                clinic=clinic,
                wet_ink=wet_ink,
                case_number=case.id,
                history=history,
                trial_records=records,
                reason=reason,
            ).pdf
            writer.append(io.BytesIO(pdf))
    except DocumentRefused as refused:
        raise signing.CannotSign(
            f"The order cannot be printed as written: {refused.message}."
        ) from None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(
    session: Session, user: User, case_id: int, *, expected_version: int, content: bytes
) -> Signature:
    """Record the scan as the practitioner's signature of this case version. Commits."""
    kind = check_file(content)
    try:
        case = load_case(session, user, case_id, for_update=True)
        if case.version != expected_version:
            raise signing.StaleCase(case)
        practitioner = check_case(session, case)
        now = utcnow()
        digest = hashlib.sha256(content).hexdigest()
        scan = SignatureScan(
            case_id=case.id,
            media_type=kind,
            content=content,
            sha256=digest,
            uploaded_by_id=user.id,
            uploaded_at=now,
        )
        session.add(scan)
        session.flush()
        hashes = {"scan": {"scan_id": scan.id, "sha256": digest}}
        sealed = seal(case, case.version, hashes)
        signature = Signature(
            case_id=case.id,
            signer_id=practitioner.id,
            signed_at=now,
            credential=practitioner.credential,
            npi=practitioner.npi,
            case_version=case.version,
            document_hashes=hashes,
            method="wet",
            uploaded_by_id=user.id,
            scan_id=scan.id,
        )
        apply_seal(signature, sealed)
        session.add(signature)
        session.flush()
        audit.record(
            session,
            user=user,
            action="case.sign_wet",
            object_type="signature",
            object_id=signature.id,
            patient_id=case.patient_id,
        )
        signing.claim_signed(session, case, user)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return signature


def scan_as_pdf(scan: SignatureScan) -> bytes:
    """The scan's pages as images only, one page each at 150 dpi: what the archived packet can
    hold and stay PDF/A-3 (an uploaded PDF may carry unembedded fonts, scripts, forms, CMYK or
    LZW, which PDF/A forbids; a picture of its page carries none). The upload itself is kept
    unchanged, with its SHA-256, and is downloadable from the signature history."""
    images = scan_page_images(scan)
    out = io.BytesIO()
    first, *rest = images
    first.save(out, "PDF", resolution=IMAGE_DPI, save_all=True, append_images=rest)
    return out.getvalue()


def scan_page_images(scan: SignatureScan) -> list:
    """Each page of the scan as an RGB image (PIL): an image as itself, a PDF rendered page
    by page (poppler's pdftoppm, bounded in pages and time)."""
    from PIL import Image

    if scan.media_type != "application/pdf":
        with Image.open(io.BytesIO(scan.content)) as image:
            return [image.convert("RGB")]
    with tempfile.TemporaryDirectory(prefix="dme-scan-") as folder:
        source = Path(folder) / "scan.pdf"
        source.write_bytes(scan.content)
        command = ["pdftoppm", "-r", str(IMAGE_DPI), "-l", str(MAX_SCAN_PAGES), "-png"]
        subprocess.run(  # noqa: S603 - a fixed program on our own temporary file
            [*command, str(source), str(Path(folder) / "page")],
            check=True,
            capture_output=True,
            timeout=SCAN_RENDER_SECONDS,
        )
        pages = []
        for path in sorted(Path(folder).glob("page-*.png")):  # zero-padded: sorts by page
            with Image.open(path) as page:
                pages.append(page.convert("RGB"))
        return pages


def append_scan(packet_pdf: bytes, scan: SignatureScan) -> bytes:
    """The billing packet with the signed scan's pages (as images) after the manifest; the
    packet stays PDF/A-3u: its metadata, output intent and attachment are kept, and the
    header stays PDF 1.7 (pypdf would write 1.4)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(packet_pdf)))
    writer.append(io.BytesIO(scan_as_pdf(scan)))
    writer.pdf_header = PdfReader(io.BytesIO(packet_pdf)).pdf_header
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scan_for(session: Session, user: User, scan_id: int) -> tuple[SignatureScan, int]:
    """A scan of the user's clinic (CaseNotFound otherwise), digest checked; audited."""
    row = session.get(SignatureScan, scan_id)
    if row is None:
        raise CaseNotFound(0)
    case = load_case(session, user, row.case_id)
    intact = hashlib.sha256(row.content).hexdigest() == row.sha256
    audit.record(
        session,
        user=user,
        action="scan.download",
        object_type="signature_scan",
        object_id=row.id,
        patient_id=case.patient_id,
        outcome="ok" if intact else "digest_mismatch",
    )
    session.commit()
    if not intact:
        raise ScanRefused("This file no longer matches its stored SHA-256, so it was not sent.")
    return row, case.id
