"""The letter of medical necessity (domain.md §5): prose built only from recorded facts.

Each sentence is written from a fact of the case, the decision or the clinical history
recorded beside the case (documents/history_letter.py); when the fact was not recorded the
sentence is left out (never "N/A", never a blank to fill in). The letter
says "meets the criteria" only when the decision is `eligible`, never offers inversion
or home lumbar traction as treatment, and claims no more than this patient's own trial
showed (domain.md §6.4).
"""

from __future__ import annotations

from collections.abc import Sequence

from dme_service.case.model import ABSOLUTE_CONTRAINDICATIONS, Case, Trial
from dme_service.case.response import trial_response
from dme_service.documents import citing, history_letter, letter_facts
from dme_service.documents import wording as w
from dme_service.documents.parts import author, signature_context
from dme_service.documents.swo import check_order
from dme_service.documents.types import DocumentSource, RenderOptions
from dme_service.rules.decision import Decision

HIGHER_FORCE = ("E0849", "E0855")
ABSOLUTE_NAMES = {key: key.replace("_", " ") for key in ABSOLUTE_CONTRAINDICATIONS}
ABSOLUTE_NAMES["fracture_or_acute_trauma"] = "fracture or acute trauma"
ABSOLUTE_NAMES["vertebrobasilar_insufficiency"] = "vertebrobasilar insufficiency"


def source(case: Case, decision: Decision, options: RenderOptions) -> DocumentSource:
    # The letter's numbers are the order's (domain.md §5 item 8): no order, no letter.
    check_order(case, document="letter")
    recorded = options.history
    sections = [
        ("Diagnosis and history", history(case) + history_letter.finding_sentences(recorded)),
        ("Prior treatment", history_letter.prior_treatment_sentences(recorded)),
        ("Supervised in-clinic trial", trial_sentences(case, options.trial_records)),
        ("Device and home prescription", device_sentences(case, decision)),
        ("Screening and precautions", screening_sentences(case, decision)),
        ("Other devices asked about", other_device_sentences(case)),
        ("Medical necessity", necessity_sentences(case, decision)),
    ]
    return DocumentSource(
        kind="lmn",
        template="lmn.html",
        title=w.document_title("Letter of medical necessity", options.case_number),
        lang="en",
        created=options.now,
        author=author(options),
        context={
            "case": case,
            "decision": decision,
            "sections": [(title, body) for title, body in sections if body],
            "draft_reason": draft_reason(decision),
            "addressee": addressee(case),
            "today": w.long_date(options.now.date()),
            "payer_name": w.payer_name(case.payer),
            "member_label": w.member_id_label(case.payer),
            "device": f"{case.request.hcpcs} ({w.hcpcs_descriptor(case.request.hcpcs)})",
            "signature": signature_context(case, options),
            "clinic": options.clinic,
            "dob": w.long_date(case.patient.date_of_birth),
        },
    )


def draft_reason(decision: Decision) -> str | None:
    """Why this letter must not be sent as it stands (None when the case is eligible)."""
    if decision.status == "eligible":
        return None
    unmet = [w.plain_words(r.text) for r in decision.reasons if not r.met]
    detail = f" Unmet: {'; '.join(unmet)}." if unmet else ""
    if decision.missing:
        detail += f" Missing: {', '.join(decision.missing)}."
    status = decision.status.replace("_", " ")
    return f"Not for submission: the decision for this case is {status}.{detail}"


def addressee(case: Case) -> str:
    """Medicare's letter sits in the supplier file until a reviewer asks for it; a self-paid
    unit has no payer to address."""
    if case.payer in ("medicare", "ibx_ma"):
        return "To whom it may concern (DME MAC medical review, on request)"
    if case.payer == "self_pay":
        return "To whom it may concern"
    return f"To: {w.payer_name(case.payer)}, medical review"


def diagnosis_phrase(code: str) -> str:
    descriptor = w.icd_descriptor(code)
    return f"{code} ({descriptor})" if descriptor else code


def history(case: Case) -> list[str]:
    patient = case.patient
    codes = [diagnosis_phrase(code) for code in case.diagnoses]
    listed = codes[0] if len(codes) == 1 else ", ".join(codes[:-1]) + " and " + codes[-1]
    trial = case.latest_trial
    age = ""
    if trial:
        age = f" ({w.age_on(patient.date_of_birth, trial.date)} at the time of the trial)"
    sentences = [f"{patient.name}{age} is being treated for {listed}."]
    if case.onset_date:
        sentence = f"The symptoms began on {w.long_date(case.onset_date)}"
        if trial:
            months = w.months_between(case.onset_date, trial.date)
            span = f"{months} month{'s' if months != 1 else ''}" if months else "under a month"
            sentence += f", {span} before the latest supervised trial ({w.long_date(trial.date)})"
        sentences.append(sentence + ".")
    return sentences


def trial_sentences(case: Case, records: Sequence[w.TrialRecord] = ()) -> list[str]:
    """The latest trial and the latest home-unit trial in full; two or more other trials in one
    sentence, naming each that made things worse or was not tolerated (six trials in full make a
    wall of text, and a trial not tolerated must not drop out of the letter). `records` are
    what is kept beside each trial, in the case's trial order: who ran it is named."""
    full, others = letter_facts.trials_in_full(case)
    sentences: list[str] = []
    if len(others) >= 2:
        sentences += letter_facts.earlier_trials_sentences(others)
    else:
        full = sorted([*full, *others], key=lambda t: t.date)
    ran_by = {id(trial): record.ran_by for trial, record in zip(case.trials, records, strict=False)}
    for trial in full:
        sentences += one_trial(trial, ran_by.get(id(trial)))
    sentences += letter_facts.demonstrated_sentences(case)
    latest = case.latest_trial
    if latest and case.payer == "premera":
        sentences += premera_sentences(case, latest)
    return sentences


def one_trial(trial: Trial, ran_by: str | None = None) -> list[str]:
    """The trial in full; `ran_by` is the therapist recorded on it ("Maria Alvarez, PT"): the
    practitioner signing the letter did not run the trial, so the letter says who did."""
    where = f" in the {trial.position} position" if trial.position else ""
    who = f"a trial under the supervision of {ran_by}," if ran_by else "a supervised trial"
    sentences = [
        f"On {w.long_date(trial.date)}, {who} used {w.device_name(trial.device)}"
        f"{where} at {w.number(trial.force_lb)} pounds for {w.number(trial.minutes)} minutes."
    ]
    sentences.append(pain_sentence(trial))
    if trial.peripheralization:
        sentences.append("Symptoms spread further down the arm during traction.")
    if trial.new_neuro_signs:
        sentences.append("New neurological signs appeared during traction.")
    if not trial.peripheralization and not trial.new_neuro_signs:
        sentences.append(
            "Symptoms did not spread further down the arm, and no new neurological signs appeared."
        )
    if trial.tolerated is False:
        sentences.append("The patient did not tolerate this trial.")
    return sentences


def pain_sentence(trial: Trial) -> str:
    before, after = trial.pain_before, trial.pain_after
    scale = "on the 0-10 numeric pain rating scale"
    if after > before:
        return f"Pain {scale} rose from {before} before traction to {after} after."
    drop = before - after
    percent = f" ({w.percent(drop, before)}%)" if before else ""
    said = f"Pain {scale} went from {before} before traction to {after} after"
    response = trial_response(trial)
    if drop == 0:
        return said + ", with no change."
    if response == "improved":
        return (
            f"{said}, a fall of {drop} point{'s' if drop != 1 else ''}{percent}. This meets "
            "the usual threshold for a clinically important change (2 points or 30%)."
        )
    return f"{said}, a fall of {drop} point{'s' if drop != 1 else ''}{percent}."


def premera_sentences(case: Case, trial: Trial) -> list[str]:
    """Premera 1.01.517 reads these statements in the letter itself (domain.md §4)."""
    sentences = []
    response = trial_response(trial)
    if response == "improved":
        sentences.append(
            f"The trial of traction was beneficial: pain fell from {trial.pain_before} "
            f"to {trial.pain_after}."
        )
    if trial.use_demonstrated:
        sentences.append(
            "The patient received training on the traction device and was able to "
            "demonstrate appropriate use."
        )
    return sentences


def device_sentences(case: Case, decision: Decision) -> list[str]:
    request = case.request
    sentences = [
        f"I am ordering HCPCS {request.hcpcs} ({w.hcpcs_descriptor(request.hcpcs)}), "
        "quantity 1, for use at home."
    ]
    if request.hcpcs in HIGHER_FORCE:
        sentences += letter_facts.earlier_over_door_not_tolerated(case)
        sentences += higher_force_sentences(case, decision)
    sentences += letter_facts.home_force_sentences(case)
    dose = w.dose_sentence(request)
    if dose:
        sentences.append(f"The home prescription is {dose}, the same as on the written order.")
    weight = case.patient.weight_lb
    if request.force_lb and weight:
        share = round(100 * request.force_lb / weight, 1)
        sentences.append(
            f"That force is {w.number(share)}% of the patient's recorded body weight "
            f"of {w.number(weight)} pounds."
        )
    return sentences


def higher_force_sentences(case: Case, decision: Decision) -> list[str]:
    """Which higher-force criterion applies, as the recorded fact, under the payer's own
    criterion names (LCD L33823 A, B or C; Aetna CPB 0453; ConnectCare)."""
    screening = case.screening
    labels = {r.code.rsplit(".", 1)[-1]: letter_facts.criterion_label(r) for r in decision.reasons}
    sentences = []
    if screening.get("tmj_dysfunction") and screening.get("tmj_treated"):
        label = labels.get("criterionA") or labels.get("tmj") or "criterion A"
        sentences.append(
            "The patient has temporomandibular joint (TMJ) dysfunction that has been treated, "
            f"so force must be applied other than through the jaw ({label})."
        )
    if screening.get("jaw_or_neck_distortion"):
        label = labels.get("criterionB") or labels.get("distortion") or "criterion B"
        sentences.append(
            f"Distortion of the lower jaw or neck anatomy prevents use of a chin halter ({label})."
        )
    force = letter_facts.force_reason(decision)
    threshold = letter_facts.threshold_words(force) if force else None
    trial = letter_facts.latest_home_unit_trial(case)
    if force and threshold:
        if trial:
            sentences.append(
                f"The supervised trial on {w.long_date(trial.date)} used "
                f"{w.number(trial.force_lb)} pounds on the {trial.device} unit."
            )
        sentences.append(
            f"In my judgement this patient needs {threshold} of cervical traction at home "
            f"({letter_facts.criterion_label(force)}); an over-door unit (E0860) is not suited "
            "to forces above 20 pounds."
        )
    if screening.get("over_door_unsafe"):
        label = labels.get("over_door_unsafe", "the payer's criteria")
        sentences.append(
            f"The record states that over-door traction is unsafe for this patient ({label})."
        )
    return sentences


def screening_sentences(case: Case, decision: Decision) -> list[str]:
    screening = case.screening
    present = [ABSOLUTE_NAMES[k] for k in ABSOLUTE_CONTRAINDICATIONS if screening.get(k)]
    answered = all(screening.get(k) is not None for k in ABSOLUTE_CONTRAINDICATIONS)
    sentences = []
    if present:
        sentences.append(f"The screening found a contraindication: {', '.join(present)}.")
    elif answered:
        sentences.append(
            "The screening for contraindications to cervical traction was completed, and "
            f"none was present ({', '.join(ABSOLUTE_NAMES.values())})."
        )
    return sentences + precaution_sentences(case)


def precaution_sentences(case: Case) -> list[str]:
    """Precautions (domain.md §8) and how they are handled, from facts the service holds."""
    screening, request = case.screening, case.request
    trial = case.latest_trial
    sentences = []
    if screening.get("pregnancy"):
        sentences.append("The patient is pregnant, a precaution for traction.")
    if screening.get("uncontrolled_hypertension"):
        sentences.append(
            "The patient has uncontrolled high blood pressure, a precaution for cervical "
            "traction because blood pressure rises at heavier loads."
        )
    careful = screening.get("pregnancy") or screening.get("uncontrolled_hypertension")
    if careful and trial and request.force_lb and request.force_lb <= trial.force_lb:
        sentences.append(
            f"The home force ({w.number(request.force_lb)} pounds) does not exceed the "
            f"force tolerated in the supervised trial ({w.number(trial.force_lb)} pounds)."
        )
    if screening.get("tmj_dysfunction") and request.hcpcs == "E0860":
        sentences.append(
            "The patient has TMJ dysfunction and the over-door unit uses a chin strap; jaw, "
            "teeth or ear pain from the chin strap is a stop rule in the patient's written "
            "instructions."
        )
    return sentences


def necessity_sentences(case: Case, decision: Decision) -> list[str]:
    """The statement of necessity: only for an eligible decision, citing its criteria."""
    if decision.status != "eligible":
        return []
    met = [r for r in decision.reasons if r.met and ".alternative." not in r.code]
    statement = (
        f"In my clinical judgement, home cervical traction with HCPCS {case.request.hcpcs} "
        "is medically necessary for this patient, based on the diagnosis and the "
        "supervised trial described above."
    )
    cited = "; ".join(f"({i}) {letter_facts.met_criterion(case, r)}" for i, r in enumerate(met, 1))
    sentences = [statement]
    if case.payer == "self_pay":
        sentences.append(
            "This letter documents clinical appropriateness for a self-paid purchase; no payer "
            f"policy applies{': ' + cited if cited else ''}."
        )
    elif cited:
        policy = citing.policy_name(case.payer, decision.policy)
        sentences.append(f"The record meets the criteria of {policy}: {cited}.")
    return sentences


def other_device_sentences(case: Case) -> list[str]:
    """Inversion and home lumbar traction are answered, never offered (domain.md §9)."""
    sentences = []
    if "inversion_table" in case.also_requested or case.request.hcpcs == "E0941":
        sentences.append(
            "An inversion table was asked about. It is not part of this request, and the "
            "patient's written instructions warn against using one."
        )
    if "home_lumbar_traction" in case.also_requested:
        sentences.append("Home lumbar traction was asked about. It is not part of this request.")
    return sentences
