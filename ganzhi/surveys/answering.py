"""Answering a survey from an invitation link: the draft, its answers, and submitting.

**Drafts.** Opening a link creates (once) a draft ``Response`` for the invitation; every
change on the page saves the answers to it, so an owner who closes the page finds their
answers again when they reopen the link. Questions hidden by their ``show_if`` keep a
draft answer (the owner may change their mind) but lose it on submit.

**Answer values** (``{code: value}``, the API's ``answers`` and the page's state):
0–10 and rating questions take an integer on the question's scale (0–10 always for
likelihood to recommend); single choice an option ``value``; multiple choice a list of
option values; open text a string (at most 2000 characters); an expectation/perception
pair ``{"expectation": e, "perception": p}`` (``{"e", "p"}`` accepted). Conditions
(``questionnaires.is_shown``) see the perception of a pair.

**Submitting** (:func:`survey_response_submit`) checks the required questions that are
shown and every value's range, stamps ``submitted_at`` and ``duration_seconds`` (from
the first opening), stores keyed hashes of the device cookie and network address
(``quality.identity_hash`` / ``quality.address_hash``: HMAC-SHA256 under SECRET_KEY;
never the raw values), completes the invitation (one answer per link: the invitation
row is locked, a second submit is "already answered"), then runs the quality checks and
creates call-back tasks.

**Anonymous answers** (the questionnaire allows it and the owner ticks 匿名提交): the
response keeps no household, no invitation and no work order, so nothing joins it back
to a home; the invitation only records that it was answered, with its times coarsened to
the day (an exact time would match the response's). Device and address hashes of an
anonymous response are taken in a namespace of their own, so they match other anonymous
answers (the duplicate check still works) but never a named one from the same phone.
Project, building, post and staff stay: the scores need them. A building with very few
households can still narrow who answered; staff pages show no response-level data.
"""

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ganzhi.core.errors import DomainError
from ganzhi.surveys.models import Answer, Invitation, Question, Response
from ganzhi.surveys.questionnaires import is_shown
from ganzhi.surveys.tokens import AlreadyAnswered

logger = logging.getLogger(__name__)

TEXT_MAX = 2000
RECOMMEND_SCALE = (0, 10)
_NUMBER_TYPES = (Question.Type.RECOMMEND, Question.Type.RATING)


# --- questions and values ---------------------------------------------------------


def questions_of(questionnaire) -> list[Question]:
    return list(questionnaire.questions.order_by("sort_order", "id"))


def scale_of(question: Question) -> tuple[int, int]:
    if question.type == Question.Type.RECOMMEND:
        return RECOMMEND_SCALE
    return question.scale_min, question.scale_max


def option_values(question: Question) -> list[str]:
    values = []
    for option in question.options or []:
        if isinstance(option, Mapping):
            values.append(str(option.get("value", "")))
        else:
            values.append(str(option))
    return values


class _Invalid(ValueError):
    pass


def _integer(raw: Any, question: Question) -> int | None:
    if raw is None or raw == "":
        return None
    low, high = scale_of(question)
    message = _("Choose a number from %(low)d to %(high)d.") % {"low": low, "high": high}
    if isinstance(raw, bool):
        raise _Invalid(message)
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise _Invalid(message) from None
    if not number.is_integer() or not low <= number <= high:
        raise _Invalid(message)
    return int(number)


def clean_value(question: Question, raw: Any) -> Any:
    """The stored form of one raw answer (None: no answer); raises ValueError with a
    message for the owner when it is out of range or not an option."""
    kind = question.type
    if kind in _NUMBER_TYPES:
        return _integer(raw, question)
    if kind == Question.Type.EXPECTATION_PERCEPTION:
        if raw is None or raw == "":
            return None
        if isinstance(raw, Mapping):
            e = raw.get("expectation", raw.get("e"))
            p = raw.get("perception", raw.get("p"))
        elif isinstance(raw, list | tuple) and len(raw) == 2:
            e, p = raw
        else:
            raise _Invalid(_("Give both what you expected and what you got."))
        e, p = _integer(e, question), _integer(p, question)
        if e is None and p is None:
            return None
        return {"expectation": e, "perception": p}
    if kind == Question.Type.SINGLE:
        if raw is None or raw == "":
            return None
        if isinstance(raw, list | tuple):
            if len(raw) != 1:
                raise _Invalid(_("Choose one of the options."))
            raw = raw[0]
        value = str(raw)
        if value not in option_values(question):
            raise _Invalid(_("Choose one of the options."))
        return value
    if kind == Question.Type.MULTIPLE:
        if raw is None or raw == "":
            return None
        chosen = {str(v) for v in raw} if isinstance(raw, list | tuple) else {str(raw)}
        allowed = option_values(question)
        if chosen - set(allowed):
            raise _Invalid(_("Choose among the options."))
        value = [v for v in allowed if v in chosen]
        return value or None
    if kind == Question.Type.TEXT:
        if raw is None:
            return None
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            raise _Invalid(_("Write your answer as text."))
        text = str(raw).strip()
        if len(text) > TEXT_MAX:
            raise _Invalid(_("Please keep it under %(limit)d characters.") % {"limit": TEXT_MAX})
        return text or None
    raise _Invalid(_("This question cannot be answered here."))


def is_complete(question: Question, value: Any) -> bool:
    if value is None:
        return False
    if question.type == Question.Type.EXPECTATION_PERCEPTION:
        return value.get("expectation") is not None and value.get("perception") is not None
    return True


def condition_value(question: Question, value: Any) -> Any:
    """What ``show_if`` conditions see of an answer (the perception of a pair)."""
    if question.type == Question.Type.EXPECTATION_PERCEPTION and value is not None:
        return value.get("perception")
    return value


def shown_codes(questions: Iterable[Question], values: Mapping[str, Any]) -> set[str]:
    """The questions shown for these answers, in order: a hidden question's answer does not
    count for the conditions of later questions."""
    seen: dict[str, Any] = {}
    shown = set()
    for question in questions:
        try:
            visible = is_shown(question.show_if, seen)
        except ValueError:
            logger.warning("question %s has a malformed show_if", question.pk)
            visible = True
        if visible:
            shown.add(question.code)
            if question.code in values:
                seen[question.code] = condition_value(question, values[question.code])
    return shown


# --- reading and writing answers ---------------------------------------------------


def _stored_value(question: Question, answer: Answer) -> Any:
    kind = question.type
    if kind in _NUMBER_TYPES:
        return None if answer.number is None else int(answer.number)
    if kind == Question.Type.EXPECTATION_PERCEPTION:
        e = None if answer.expectation is None else int(answer.expectation)
        p = None if answer.number is None else int(answer.number)
        return None if e is None and p is None else {"expectation": e, "perception": p}
    if kind == Question.Type.SINGLE:
        return answer.choices[0] if answer.choices else (answer.text or None)
    if kind == Question.Type.MULTIPLE:
        return list(answer.choices) or None
    return answer.text or None


def answers_of(response: Response, questions: list[Question] | None = None) -> dict[str, Any]:
    """The response's saved answers as ``{code: value}``."""
    if questions is None:
        questions = questions_of(response.questionnaire)
    by_id = {q.id: q for q in questions}
    values = {}
    for answer in Answer.objects.filter(response=response):
        question = by_id.get(answer.question_id)
        if question is None:
            continue
        value = _stored_value(question, answer)
        if value is not None:
            values[question.code] = value
    return values


def _answer_fields(question: Question, value: Any) -> dict[str, Any]:
    fields = {"number": None, "expectation": None, "text": "", "choices": []}
    kind = question.type
    if kind in _NUMBER_TYPES:
        fields["number"] = float(value)
    elif kind == Question.Type.EXPECTATION_PERCEPTION:
        fields["expectation"] = value["expectation"]
        fields["number"] = value["perception"]
    elif kind == Question.Type.SINGLE:
        fields["choices"] = [value]
    elif kind == Question.Type.MULTIPLE:
        fields["choices"] = list(value)
    else:
        fields["text"] = value
    return fields


def _store(response: Response, questions: list[Question], raw: Mapping[str, Any]) -> dict:
    """Validate and save the answers in ``raw`` (codes not in it are left alone; a blank
    value deletes the answer). Returns {code: [message]} for the values refused (those are
    not saved); unknown codes are refused too."""
    by_code = {q.code: q for q in questions}
    errors: dict[str, list[str]] = {}
    keep: dict[Question, Any] = {}
    for code, value in raw.items():
        question = by_code.get(code)
        if question is None:
            errors[code] = [_("There is no such question.")]
            continue
        try:
            keep[question] = clean_value(question, value)
        except ValueError as exc:
            errors[code] = [str(exc)]
    existing = {a.question_id: a for a in Answer.objects.filter(response=response)}
    to_create, to_update, to_delete = [], [], []
    for question, value in keep.items():
        answer = existing.get(question.id)
        if value is None:
            if answer is not None:
                to_delete.append(answer.pk)
            continue
        fields = _answer_fields(question, value)
        if answer is None:
            to_create.append(Answer(response=response, question=question, **fields))
        elif any(getattr(answer, name) != v for name, v in fields.items()):
            for name, v in fields.items():
                setattr(answer, name, v)
            to_update.append(answer)
    if to_delete:
        Answer.objects.filter(pk__in=to_delete).delete()
    Answer.objects.bulk_create(to_create)
    Answer.objects.bulk_update(to_update, ["number", "expectation", "text", "choices"])
    return errors


def answers_from_form(questions: Iterable[Question], data) -> dict[str, Any]:
    """Every question's raw value from a posted form (a QueryDict): ``<code>`` for most,
    ``<code>`` as a list for multiple choice, ``<code>__e`` / ``<code>__p`` for pairs.
    A question left blank maps to None (it clears a saved draft answer)."""
    raw: dict[str, Any] = {}
    for question in questions:
        code = question.code
        if question.type == Question.Type.MULTIPLE:
            raw[code] = data.getlist(code) or None
        elif question.type == Question.Type.EXPECTATION_PERCEPTION:
            e, p = data.get(f"{code}__e", ""), data.get(f"{code}__p", "")
            raw[code] = {"expectation": e, "perception": p} if (e or p) else None
        else:
            raw[code] = data.get(code)
    return raw


# --- the draft ---------------------------------------------------------------------


def response_open(invitation: Invitation, *, now=None) -> Response:
    """The invitation's draft response, created on first opening (with the household,
    building, and for an after-service survey the order, its post and handler)."""
    now = now or timezone.now()
    existing = Response.objects.filter(invitation=invitation).first()
    if existing is not None:
        return existing
    household = invitation.household
    order = invitation.workorder
    try:
        with transaction.atomic():
            response = Response.objects.create(
                company_id=invitation.company_id,
                questionnaire_id=invitation.questionnaire_id,
                campaign_id=invitation.campaign_id,
                invitation=invitation,
                workorder=order,
                household=household,
                project_id=invitation.project_id,
                building_id=household.unit.building_id,
                post_id=order.post_id if order else None,
                staff_id=order.assignee_id if order else None,
                source=Response.Source.WEB,
                started_at=now,
            )
            if invitation.opened_at is None:
                Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
                    opened_at=now
                )
                invitation.opened_at = now
    except IntegrityError:  # opened twice at the same moment
        return Response.objects.get(invitation=invitation)
    return response


def draft_save(*, response: Response, answers: Mapping[str, Any]) -> dict[str, list[str]]:
    """Save answers to a draft; {code: [message]} for values refused (not saved)."""
    if response.submitted_at is not None:
        raise AlreadyAnswered
    with transaction.atomic():
        return _store(response, questions_of(response.questionnaire), answers)


def _missing(questions: list[Question], values: Mapping[str, Any], shown: set[str]) -> dict:
    return {
        question.code: [_("Please answer this question.")]
        for question in questions
        if question.code in shown
        and question.required
        and not is_complete(question, values.get(question.code))
    }


def missing_required(response: Response) -> dict[str, list[str]]:
    """{code: [message]} for the required questions shown and not answered in the draft."""
    questions = questions_of(response.questionnaire)
    values = answers_of(response, questions)
    return _missing(questions, values, shown_codes(questions, values))


# --- submitting --------------------------------------------------------------------


def _hashes(*, device: str, address: str, anonymous: bool) -> tuple[str, str]:
    from ganzhi.surveys.quality import address_hash, identity_hash

    device_hash = identity_hash(f"device:{device}") if device else ""
    network_hash = address_hash(address) if address else ""
    if anonymous:
        device_hash = identity_hash(f"anonymous:{device_hash}") if device_hash else ""
        network_hash = identity_hash(f"anonymous:{network_hash}") if network_hash else ""
    return device_hash, network_hash


def _start_of_day(moment):
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def survey_response_submit(
    *,
    response: Response,
    answers: Mapping[str, Any] | None = None,
    anonymous: bool = False,
    device: str = "",
    address: str = "",
    submitter: str = "",
    now=None,
) -> Response:
    """Submit a draft (with ``answers`` saved first, if given). ``device`` is the device
    cookie, ``address`` the client address, ``submitter`` who is logged in while
    answering (a phone number or user name), all stored only as keyed hashes.

    Raises DomainError ``invalid`` (details per question code) for missing required
    answers or values out of range, ``already_answered`` for a second submit."""
    now = now or timezone.now()
    with transaction.atomic():
        response = (
            Response.objects.select_for_update(of=("self",))
            .select_related("questionnaire", "invitation")
            .get(pk=response.pk)
        )
        if response.submitted_at is not None:
            raise AlreadyAnswered
        invitation = None
        if response.invitation_id is not None:
            invitation = Invitation.objects.select_for_update().get(pk=response.invitation_id)
            if invitation.completed_at is not None:
                raise AlreadyAnswered
        questionnaire = response.questionnaire
        questions = questions_of(questionnaire)
        errors: dict[str, list[str]] = {}
        if answers:
            errors = _store(response, questions, answers)
        if anonymous and not questionnaire.allow_anonymous:
            errors["anonymous"] = [_("This survey cannot be answered anonymously.")]
        values = answers_of(response, questions)
        shown = shown_codes(questions, values)
        errors = {**_missing(questions, values, shown), **errors}
        if errors:
            raise DomainError(
                "invalid",
                _("Some answers are missing or not valid."),
                details=errors,
                status=422,
            )
        hidden = [q.id for q in questions if q.code not in shown]
        if hidden:
            Answer.objects.filter(response=response, question_id__in=hidden).delete()
        response.submitted_at = now
        response.duration_seconds = max(0, int((now - response.started_at).total_seconds()))
        response.device_hash, response.address_hash = _hashes(
            device=device, address=address, anonymous=anonymous
        )
        if submitter and not anonymous:
            from ganzhi.surveys.quality import identity_hash

            response.phone_hash = identity_hash(submitter)
        if anonymous:
            response.is_anonymous = True
            response.household = None
            response.invitation = None
            response.workorder = None
        response.save()
        if invitation is not None:
            invitation.completed_at = _start_of_day(now) if anonymous else now
            if anonymous and invitation.opened_at is not None:
                invitation.opened_at = _start_of_day(invitation.opened_at)
            invitation.save(update_fields=["completed_at", "opened_at"])
        _after_submit(response)
    return response


def _after_submit(response: Response) -> None:
    """The quality checks and call-back tasks (C's services). A failure there is logged
    and never loses the owner's answers."""
    from ganzhi.surveys import callbacks, quality

    for name, step in (
        ("quality.flag_response", quality.flag_response),
        ("callbacks.create_callbacks", callbacks.create_callbacks),
    ):
        try:
            with transaction.atomic():
                step(response)
        except Exception:
            logger.exception("%s failed for response %s", name, response.pk)
