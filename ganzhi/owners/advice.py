"""Service advice by owner profile, from the communication-style and owner-type training.

Shown to staff where they handle an owner (owner page now, work orders later).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Advice:
    summary: str
    do: tuple[str, ...]
    avoid: tuple[str, ...]


COMMUNICATION_STYLE = {
    "peacock": Advice(
        _("Talkative, expressive, led by feelings more than logic: win through the relationship."),
        (
            _("Listen warmly and let them finish"),
            _("Praise sincerely"),
            _("Sum up their point in one sentence before acting"),
        ),
        (_("Cutting them off"), _("A cold, procedural tone")),
    ),
    "owl": Advice(
        _("Asks about details, careful with words, reasons from evidence: win on the details."),
        (
            _("Bring facts, records and rules"),
            _("Give dates and steps in writing"),
            _("Answer every question precisely"),
        ),
        (_("Vague promises"), _("Exaggeration or guesses")),
    ),
    "tiger": Advice(
        _("Self-assured, decisive, wants to be in control: win on speed."),
        (
            _("Be brief and come to the point"),
            _("Offer options and let them decide"),
            _("Act at once and report back"),
        ),
        (_("Long explanations"), _("Arguing about who is right"), _("Delays")),
    ),
    "panda": Advice(
        _("Slow to react, gentle, avoids pressure, may ask again and again: win on reassurance."),
        (
            _("Be patient and repeat simply"),
            _("Confirm they understood"),
            _("Follow up so they need not ask"),
        ),
        (_("Rushing them"), _("Showing impatience")),
    ),
}

VALUE_TYPE = {
    "demanding": _(
        "Demanding: expects a high standard — prepare well, keep every promise exactly."
    ),
    "easy_going": _(
        "Easy-going: values goodwill — keep the relationship warm, do not take it for granted."
    ),
    "economical": _("Economical: cares about cost — explain value and fees clearly, no surprises."),
    "comfort": _(
        "Comfort-seeking: values convenience and experience — offer proactive, personal service."
    ),
}

CARE_FLAGS = {
    "elderly_alone": _("Elderly living alone: check in regularly; speak slowly; help in person."),
    "has_children": _("Children at home: mind safety during works; notify about noise in advance."),
    "has_disability": _("Disability: offer help in person and keep access routes clear."),
}


def advice_for(owner) -> dict:
    return {
        "style": COMMUNICATION_STYLE.get(owner.communication_style),
        "value": VALUE_TYPE.get(owner.value_type),
        "care": [text for flag, text in CARE_FLAGS.items() if getattr(owner, flag)],
    }
