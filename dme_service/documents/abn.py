"""The Advance Beneficiary Notice of Non-coverage (form CMS-R-131), pre-filled.

For a Medicare or IBX Medicare Advantage claim the decision bills with GA or GZ (an E0849 or
E0855 whose higher-force criterion is not met; Policy Article A52476): the item (D), the
reason Medicare may not pay (E) in plain words from the decision, the estimated cost (F) left
for the supplier to write in (the service records no price), the three options (G), and the
lines the beneficiary signs. English or Spanish: the form's fixed text is CMS's, kept here in
both languages (ABN_TEXT); only the item and the reason are filled in.

The notice is given before delivery; the patient's choice and signature make it "on file"
(`abn_on_file`, which turns GZ into GA). documents/availability.py decides when it is printed.
"""

from __future__ import annotations

from dme_service.case.model import Case
from dme_service.documents import wording as w
from dme_service.documents.types import DocumentSource, RenderOptions
from dme_service.rules.decision import Decision

ITEM = {
    "en": "Home cervical traction unit, HCPCS {code} ({descriptor}), quantity 1",
    "es": "Aparato de tracción cervical para la casa, HCPCS {code} ({descriptor}), cantidad 1",
}
# (E): what the payer requires for a higher-force unit, and what the record says.
REASON = {
    "en": (
        "Medicare pays for this unit only when one of these is in your records: jaw joint "
        "(TMJ) problems that have been treated; a jaw or neck shape that does not allow a chin "
        "strap; or a need for more than {limit} pounds of pull at home. Your records show none "
        "of these (the order is for {force} pounds). Medicare does pay for an over-door unit "
        "(E0860) when its own rules are met."
    ),
    "es": (
        "Medicare paga este aparato solo cuando su expediente muestra una de estas cosas: "
        "problemas de la articulación de la mandíbula (ATM) que ya se trataron; una forma de la "
        "mandíbula o del cuello que no permite usar una correa en la barbilla; o la necesidad "
        "de más de {limit} libras de tracción en casa. Su expediente no muestra ninguna (la "
        "orden es de {force} libras). Medicare sí paga un aparato que se cuelga de la puerta "
        "(E0860) cuando se cumplen sus reglas."
    ),
}
ABN_TEXT = {
    "en": {
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
    },
    "es": {
        "title": "Notificación previa de no cobertura al beneficiario (ABN)",
        "notifier": "A. Notificador",
        "patient": "B. Nombre del paciente",
        "identification": "C. Número de identificación",
        "note": (
            "NOTA: Si Medicare no paga el artículo indicado abajo, es posible que usted tenga "
            "que pagar. Medicare no paga todo, ni siquiera algunos cuidados que usted o su "
            "proveedor de salud tengan buenas razones para pensar que usted necesita. Esperamos "
            "que Medicare no pague el artículo indicado abajo."
        ),
        "col_item": "D. Artículo",
        "col_reason": "E. Razón por la que Medicare podría no pagar",
        "col_cost": "F. Costo estimado",
        "cost_blank": "$ ______ (el proveedor lo escribe antes de entregar este aviso)",
        "todo_title": "LO QUE USTED TIENE QUE HACER AHORA:",
        "todo": (
            "Lea este aviso para que pueda tomar una decisión informada sobre su cuidado.",
            "Háganos las preguntas que tenga después de terminar de leerlo.",
            "Elija abajo una opción sobre si desea recibir el artículo indicado arriba.",
        ),
        "todo_note": (
            "Nota: Si elige la Opción 1 o la 2, podemos ayudarle a usar cualquier otro seguro "
            "que tenga, pero Medicare no puede exigirnos que lo hagamos."
        ),
        "options_title": (
            "G. OPCIONES: Marque solo una casilla. Nosotros no podemos elegir una casilla "
            "por usted."
        ),
        "options": (
            "OPCIÓN 1. Quiero el artículo indicado arriba. Pueden pedirme que pague ahora, pero "
            "también quiero que se facture a Medicare para obtener una decisión oficial sobre el "
            "pago, que se me enviará en un Resumen de Medicare (MSN). Entiendo que si Medicare no "
            "paga, yo soy responsable del pago, pero puedo apelar a Medicare siguiendo las "
            "instrucciones del MSN. Si Medicare paga, me devolverán lo que yo haya pagado, menos "
            "los copagos o deducibles.",
            "OPCIÓN 2. Quiero el artículo indicado arriba, pero no le facturen a Medicare. "
            "Pueden pedirme que pague ahora, ya que yo soy responsable del pago. No puedo apelar "
            "si no se le factura a Medicare.",
            "OPCIÓN 3. No quiero el artículo indicado arriba. Entiendo que con esta opción no "
            "soy responsable del pago y no puedo apelar para ver si Medicare pagaría.",
        ),
        "additional": "H. Información adicional:",
        "closing": (
            "Este aviso le da nuestra opinión, no una decisión oficial de Medicare. Si tiene "
            "otras preguntas sobre este aviso o sobre la facturación de Medicare, llame al "
            "1-800-MEDICARE (1-800-633-4227; TTY: 1-877-486-2048). Al firmar abajo, usted indica "
            "que recibió y entiende este aviso. Usted también recibe una copia."
        ),
        "signature": "I. Firma:",
        "date": "J. Fecha:",
        "form": "Formulario CMS-R-131 · Aprobado por OMB No. 0938-0566",
        "footer": "ABN (CMS-R-131)",
    },
}
# Medicare Advantage plans issue their own denial notices; the IBX MA policy pack asks for the
# same beneficiary notice before delivery, so the same form is printed with the plan's name.
PLAN_ADDITIONAL = {
    "en": "Your plan: {payer}.",
    "es": "Su plan: {payer}.",
}


def source(case: Case, decision: Decision, options: RenderOptions) -> DocumentSource:
    lang = options.lang
    text = ABN_TEXT[lang]
    code = case.request.hcpcs
    force = w.number(case.request.force_lb) if case.request.force_lb else "?"
    additional = PLAN_ADDITIONAL[lang].format(payer=w.payer_name(case.payer))
    return DocumentSource(
        kind="abn",
        template="abn.html",
        title=text["title"],
        lang=lang,
        created=options.now,
        author=options.clinic.name if options.clinic else None,
        context={
            "t": text,
            "case": case,
            "clinic": options.clinic,
            "item": ITEM[lang].format(code=code, descriptor=w.hcpcs_descriptor(code)),
            "reason": REASON[lang].format(limit=20, force=force),
            "additional": additional,
            "prepared": w.long_date(options.now.date(), lang),
        },
    )
