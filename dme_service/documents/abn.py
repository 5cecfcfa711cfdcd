"""The Advance Beneficiary Notice of Non-coverage (form CMS-R-131), pre-filled.

For a Medicare or IBX Medicare Advantage claim the decision bills with GA or GZ (an E0849 or
E0855 whose higher-force criterion is not met; Policy Article A52476): the item (D), the
reason Medicare may not pay (E) in plain words from the decision, the estimated cost (F) left
for the supplier to write in (the service records no price), the three options (G), and the
lines the beneficiary signs. English only: the form's fixed text is CMS's (ABN_TEXT); only the
item and the reason are filled in. CMS publishes its own Spanish version of the form; a
Spanish-speaking beneficiary is given that official notice, never a translation of ours, so a
Spanish ABN is refused naming `lang` (SPANISH_REFUSED).

The notice is given before delivery; the patient's choice and signature make it "on file"
(`abn_on_file`, which turns GZ into GA). documents/availability.py decides when it is printed.
"""

from __future__ import annotations

from dme_service.case.model import Case
from dme_service.documents import wording as w
from dme_service.documents.types import DocumentRefused, DocumentSource, RenderOptions
from dme_service.rules.decision import Decision

ITEM = "Home cervical traction unit, HCPCS {code} ({descriptor}), quantity 1"
# (E): what the payer requires for a higher-force unit, and what the record says.
REASON = (
    "Medicare pays for this unit only when one of these is in your records: jaw joint "
    "(TMJ) problems that have been treated; a jaw or neck shape that does not allow a chin "
    "strap; or a need for more than {limit} pounds of pull at home. Your records show none "
    "of these (the order is for {force} pounds). Medicare does pay for an over-door unit "
    "(E0860) when its own rules are met."
)
ABN_TEXT = {
    "title": "Advance Beneficiary Notice of Non-coverage (ABN)",
    "notifier": "A. Notifier",
    "patient": "B. Patient Name",
    "identification": "C. Identification Number",
    "note": (
        "NOTE: If Medicare doesn't pay for the item below, you may have to pay. Medicare "
        "does not pay for everything, even some care that you or your health care provider "
        "have good reason to think you need. We expect Medicare may not pay for the item "
        "below."
    ),
    "col_item": "D. Item",
    "col_reason": "E. Reason Medicare May Not Pay",
    "col_cost": "F. Estimated Cost",
    "cost_blank": "$ ______ (supplier writes in before giving this notice)",
    "todo_title": "WHAT YOU NEED TO DO NOW:",
    "todo": (
        "Read this notice, so you can make an informed decision about your care.",
        "Ask us any questions that you may have after you finish reading.",
        "Choose an option below about whether to receive the item listed above.",
    ),
    "todo_note": (
        "Note: If you choose Option 1 or 2, we may help you to use any other insurance that "
        "you might have, but Medicare cannot require us to do this."
    ),
    "options_title": "G. OPTIONS: Check only one box. We cannot choose a box for you.",
    "options": (
        "OPTION 1. I want the item listed above. You may ask to be paid now, but I also "
        "want Medicare billed for an official decision on payment, which is sent to me on a "
        "Medicare Summary Notice (MSN). I understand that if Medicare doesn't pay, I am "
        "responsible for payment, but I can appeal to Medicare by following the directions "
        "on the MSN. If Medicare does pay, you will refund any payments I made to you, less "
        "co-pays or deductibles.",
        "OPTION 2. I want the item listed above, but do not bill Medicare. You may ask to "
        "be paid now as I am responsible for payment. I cannot appeal if Medicare is not "
        "billed.",
        "OPTION 3. I don't want the item listed above. I understand with this choice I am "
        "not responsible for payment, and I cannot appeal to see if Medicare would pay.",
    ),
    "additional": "H. Additional Information:",
    "closing": (
        "This notice gives our opinion, not an official Medicare decision. If you have "
        "other questions on this notice or Medicare billing, call 1-800-MEDICARE "
        "(1-800-633-4227/TTY: 1-877-486-2048). Signing below means that you have received "
        "and understand this notice. You also receive a copy."
    ),
    "signature": "I. Signature:",
    "date": "J. Date:",
    "form": "Form CMS-R-131 · Form Approved OMB No. 0938-0566",
    "footer": "ABN (CMS-R-131)",
}
# Medicare Advantage plans issue their own denial notices; the IBX MA policy pack asks for the
# same beneficiary notice before delivery, so the same form is printed with the plan's name.
PLAN_ADDITIONAL = "Your plan: {payer}."
# Section H tells a Spanish reader, in Spanish, that Medicare's own Spanish notice exists and
# is theirs for the asking ("This notice also exists in Spanish: ask us for Medicare's
# official version").
SPANISH_AVAILABLE = "Este aviso también existe en español: pídanos la versión oficial de Medicare."


SPANISH_REFUSED = (
    "the ABN is printed in English only: give a Spanish-speaking patient CMS's official Spanish "
    "version of form CMS-R-131 with the same item, reason and cost written in (a translation "
    "of ours is not the approved notice)"
)


def source(case: Case, decision: Decision, options: RenderOptions) -> DocumentSource:
    if options.lang != "en":
        raise DocumentRefused("lang", SPANISH_REFUSED)
    code = case.request.hcpcs
    force = w.number(case.request.force_lb) if case.request.force_lb else "?"
    return DocumentSource(
        kind="abn",
        template="abn.html",
        title=w.document_title(ABN_TEXT["title"], options.case_number),
        lang="en",
        created=options.now,
        author=options.clinic.name if options.clinic else None,
        context={
            "t": ABN_TEXT,
            "case": case,
            "clinic": options.clinic,
            "item": ITEM.format(code=code, descriptor=w.hcpcs_descriptor(code)),
            "reason": REASON.format(limit=20, force=force),
            "additional": PLAN_ADDITIONAL.format(payer=w.payer_name(case.payer)),
            "spanish": SPANISH_AVAILABLE,
            "prepared": w.long_date(options.now.date()),
        },
    )
