"""The patient's instructions, sentence by sentence: one source for both the printed PDF
(pdf_templates/instructions.html) and the phone page (templates/patient/instructions.html).

Plain Python with no Flask import, so the document layer and the web can both use it. Each
sentence is an English gettext msgid marked with `N_` for extraction; each template loops over
these and translates with its own `_()` (documents/i18n.py's Gettext for the PDF, Flask-Babel
on the page). The templates keep their own markup: the PDF's red flags are a table, the page's
a list with classes and drawings. Keep sentences short (grade 6 or below, tested), one action
per line, digits for numbers, units spelled out. Never "PRN", "bid" or "lb".

A sentence with "%(n)s" is filled in with the patient's force (the templates pass `n=` to every
set-up step; a step without it is unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


def N_(message: str) -> str:
    """Mark a msgid for extraction; it is translated where it is shown."""
    return message


# --- the dose's stop rules ------------------------------------------------------------------

DOSE_RULES = (
    N_("Do not add weight or time."),
    N_("Use it on this schedule, not only when it hurts."),
    N_("Ask before you change anything."),
)
# A pneumatic unit (E0849, E0855, E0856) is pumped up and let down: no weight to add or take off.
PNEUMATIC_DOSE_RULES = (N_("Do not pump higher or use it longer."), *DOSE_RULES[1:])


def dose_rules(unit: str) -> tuple[str, ...]:
    return PNEUMATIC_DOSE_RULES if unit == "pneumatic" else DOSE_RULES


# The printed plan before the treating practitioner signs the order (the phone page
# says the same: domain.md §10, instructions cover only the unit on the signed order).
NOT_SIGNED = N_(
    "Your doctor has not signed this plan yet. Do not start until your clinic tells you to."
)
# While a changed order waits for a new signature, the patient keeps the plan last signed and
# is told so: a dose nobody has signed is never taught (domain.md §1 step 2, §10).
PLAN_CHANGING = N_(
    "Your plan is being changed. Keep to the plan below until your clinic calls you."
)
SIGNED_ON = N_("Your doctor signed it on %(date)s.")

# --- red flags: what happens, what to do ----------------------------------------------------

STOP_TITLE = N_("Stop and get help")


@dataclass(frozen=True)
class RedFlag:
    when: str
    do: str
    urgent: bool = False  # medical care right away, not a call to the clinic


RED_FLAGS = (
    RedFlag(
        N_("Arm pain, tingling or numbness gets worse. Or it spreads down your arm."),
        N_("Stop. Take the weight off. Call your therapist or doctor before you use it again."),
    ),
    RedFlag(
        N_("Neck pain gets worse and stays worse."),
        N_("Stop. Call your therapist or doctor."),
    ),
    RedFlag(
        N_("Your jaw, teeth or ear hurt from the chin strap."),
        N_("Stop. Call us. The strap or the unit may need a change."),
    ),
    RedFlag(
        N_("New weakness in an arm, hand or leg. New numbness. Trouble walking or with balance."),
        N_("Stop. Get medical care right away."),
        urgent=True,
    ),
    RedFlag(
        N_(
            "You feel dizzy or faint. Your vision is blurry or double. "
            "You have trouble speaking or swallowing."
        ),
        N_("Stop. Get care right away. Call 911 if it is sudden or bad."),
        urgent=True,
    ),
    RedFlag(
        N_("Any change in how you control your bladder or bowels."),
        N_("Stop. Get medical care right away."),
        urgent=True,
    ),
)
# The pneumatic unit's release: the air comes out through the valve (review defect #7).
PNEUMATIC_RELEASE = N_(
    "Stop. Open the release valve to let the air out. "
    "Call your therapist or doctor before you use it again."
)


def has_chin_strap(hcpcs: str | None, jaw_or_neck_distortion: bool) -> bool:
    """E0849 pulls other than through the jaw; an E0855 chosen because a chin halter cannot be
    used (criterion B) has none either (review defect #7)."""
    if hcpcs == "E0849":
        return False
    return not (hcpcs == "E0855" and jaw_or_neck_distortion)


def red_flags(unit: str, chin_strap: bool = True) -> tuple[RedFlag, ...]:
    """The red flags for the unit: a pneumatic unit's first action opens the release valve;
    the chin-strap row only where the unit has a chin strap."""
    flags = list(RED_FLAGS)
    if unit == "pneumatic":
        flags[0] = RedFlag(RED_FLAGS[0].when, PNEUMATIC_RELEASE)
    if not chin_strap:
        flags.remove(RED_FLAGS[2])
    return tuple(flags)


# --- set-up steps, per unit -----------------------------------------------------------------

SETUP_TITLE = N_("How to set it up")


@dataclass(frozen=True)
class Step:
    text: str
    drawing: str | None = None  # the phone page shows templates/patient/_svg_<drawing>.html


_FIRST = Step(N_("Read the guide that came with your unit first."))
_DOOR = (
    Step(N_("Use a strong door. Close it. Make sure no one will open it.")),
    Step(N_("Hang the bracket on the door where the guide says."), drawing="bracket"),
)
_SEATED = (
    Step(N_("Sit in a strong chair with no wheels. Face the door."), drawing="seated"),
    Step(N_("Sit tall. Let your shoulders relax.")),
)
_SUPINE = (Step(N_("Lie down the way you were shown in the clinic.")),)
_ON_YOUR_BACK = Step(N_("Lie on your back the way you were shown."))
_BAG = (
    Step(N_("Put on the head piece. It should pull mostly at the back of your head.")),
    Step(N_("The chin strap is snug. It must not push your teeth together.")),
    Step(
        N_("Fill the water bag to %(n)s pounds. Use the marks on the bag, or weigh it."),
        drawing="bag",
    ),
    Step(N_("Hang the bag gently.")),
    Step(N_("To finish, lift the bag to take the weight off. Never drop the bag.")),
    Step(N_("Sit for a minute before you stand up.")),
)
_AS_SHOWN = Step(N_("Set up the unit the way you were shown in the clinic."))
_REST = Step(N_("Rest for a minute before you get up."))

SETUP_STEPS = MappingProxyType(
    {
        "over_door_seated": (_FIRST, *_DOOR, *_SEATED, *_BAG),
        "over_door_supine": (_FIRST, *_DOOR, *_SUPINE, *_BAG),
        "pneumatic": (
            _FIRST,
            _AS_SHOWN,
            Step(N_("Pump only to your setting: %(n)s pounds.")),
            Step(N_("To finish, open the release valve and let the air out slowly.")),
            _REST,
        ),
        "frame": (
            _FIRST,
            _AS_SHOWN,
            Step(N_("Use only your setting: %(n)s pounds.")),
            _REST,
        ),
    }
)


def setup_steps(unit: str, supine: bool = False) -> tuple[Step, ...]:
    """The steps for the unit kind (documents.instructions.unit_kind, or the home plan's:
    "over_door", "pneumatic", any other stand or frame, "none" for no dose to teach);
    lying down matters only for the over-door unit."""
    if unit == "none":
        return ()
    if unit == "over_door":
        return SETUP_STEPS["over_door_supine" if supine else "over_door_seated"]
    steps = SETUP_STEPS["pneumatic" if unit == "pneumatic" else "frame"]
    if supine:  # the way the supervised trial was done (review defect #7)
        return (steps[0], _ON_YOUR_BACK, *steps[1:])
    return steps


# --- how it should feel ---------------------------------------------------------------------

FEEL_TITLE = N_("How it should feel")
FEEL = (
    N_("You should feel a gentle, steady stretch in your neck."),
    N_("It should not make your pain worse."),
    N_("If it hurts more, take the weight off and stop."),
)
PNEUMATIC_FEEL = (*FEEL[:2], N_("If it hurts more, let the air out and stop."))


def feel(unit: str) -> tuple[str, ...]:
    return PNEUMATIC_FEEL if unit == "pneumatic" else FEEL


FEEL_TMJ = N_("Your jaw needs care. If your jaw hurts, stop and call us.")
CHILDREN = N_("Keep the unit away from children. Do not let anyone else use it.")

# --- the inversion table --------------------------------------------------------------------

INVERSION_TITLE = N_("Do not use an inversion table")
INVERSION_WARNING = (
    N_(
        "An inversion table tips you upside down. Do not use one. "
        "Do not hang upside down on your own."
    ),
    N_(
        "Hanging upside down raises your blood pressure. It raises the pressure in your eyes "
        "too. This happens in minutes. In one study, eye pressure more than doubled."
    ),
    N_("Some inversion tables were recalled. The ankle locks came loose, and people fell."),
)
INVERSION_NEVER_IF = N_("Never use one if any of these are true:")
INVERSION_NEVER = (
    N_("You have high blood pressure."),
    N_("You have glaucoma or another eye disease."),
    N_("You once had a detached retina."),
    N_("You have heart or blood vessel disease."),
    N_("You have a hernia."),
    N_("You have weak bones or a recent broken bone."),
    N_("You have metal implants in your spine or joints."),
    N_("You have an ear infection."),
    N_("You are pregnant."),
    N_("You take blood thinners. This includes daily aspirin."),
)
# The patient's own high-risk answer (case-format.md's INVERSION_HIGH_RISK keys, in the
# order the warning names them) -> the personal line.
HIGH_RISK_LINES = MappingProxyType(
    {
        "uncontrolled_hypertension": N_(
            "Your records say you have high blood pressure. Never use an inversion table."
        ),
        "glaucoma": N_("Your records say you have glaucoma. Never use an inversion table."),
        "retinal_detachment": N_(
            "Your records say you had a detached retina. Never use an inversion table."
        ),
        "heart_disease": N_(
            "Your records say you have heart disease. Never use an inversion table."
        ),
        "anticoagulant_use": N_(
            "Your records say you take a blood thinner. Never use an inversion table."
        ),
        "hernia": N_("Your records say you have a hernia. Never use an inversion table."),
        "pregnancy": N_("Your records say you are pregnant. Never use an inversion table."),
    }
)
INVERSION_ASKED = N_("You asked about an inversion table. Please do not use one.")

# --- the low back ---------------------------------------------------------------------------

LOW_BACK_TITLE = N_("Your low back")
LOW_BACK = N_(
    "Home traction for the low back has not been shown to help much. Insurance does not pay "
    "for it. Do not buy one unless your own doctor or therapist prescribes it."
)
LUMBAR_ASKED = N_("You asked about traction for your low back. It is not part of this order.")
NECK_ONLY = (
    N_("Your neck unit is only for your neck. Use it only the way you were shown."),
    N_("Ask your therapist or doctor before you try any other stretch device."),
)
