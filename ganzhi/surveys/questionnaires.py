"""Questionnaires built from an indicator library, and the conditions that show questions.

``Question.show_if`` format
---------------------------

A question is shown when its ``show_if`` holds for the answers given so far; an
empty ``show_if`` (``{}``) always holds. A condition is either a comparison::

    {"question": "recommend", "op": "lte", "value": 6}

or a combination of conditions (nested to any depth)::

    {"any": [cond, cond, …]}    # at least one holds
    {"all": [cond, cond, …]}    # every one holds
    {"not": cond}                # cond does not hold

Comparison operators (``op``):

* ``eq``, ``ne`` – equal / not equal (numbers compare as numbers, anything else as
  text; for a multiple-choice answer ``eq`` means "the value is one of the choices");
* ``lt``, ``lte``, ``gt``, ``gte`` – numeric comparisons;
* ``in``, ``not_in`` – ``value`` is a list; for a multiple-choice answer ``in`` means
  "any chosen value is in the list";
* ``answered`` – the question has an answer (``value`` is not used).

``answers`` maps question codes to the answers given: a number for rating and 0–10
questions (for an expectation/perception pair, the *perception*), a string for single
choice and open text, a list of strings for multiple choice. A question that is not
answered (absent, ``None``, ``""`` or ``[]``) makes every comparison except ``ne`` and
``not_in`` false; so a follow-up stays hidden until its trigger is answered.

Questions built here use two shapes:

* the detractor follow-up: ``{"question": "recommend", "op": "lte", "value": 6}``;
* the low-score follow-up of a post:
  ``{"any": [{"question": "<item code>", "op": "lte", "value": 2}, …]}`` over every
  item of the post (threshold 2 on a 1–5 scale, 4 on 1–10).

:func:`is_shown` evaluates a condition (pure; the answering page imports it);
:func:`show_if_problems` checks one before it is stored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ganzhi.core.errors import DomainError
from ganzhi.core.scoping import scope_for
from ganzhi.core.services import require_perm
from ganzhi.org.models import Post
from ganzhi.surveys import defaults
from ganzhi.surveys.library import library_validate
from ganzhi.surveys.models import IndicatorLibrary, IndicatorNode, Question, Questionnaire

COMPARISONS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "answered")
SCALES = (5, 7, 10)
DETRACTOR_MAX = 6

Answer = float | int | str | list[str] | None


# --- show_if -------------------------------------------------------------------------


def is_shown(show_if: Mapping[str, Any] | None, answers: Mapping[str, Answer]) -> bool:
    """Whether a question with this ``show_if`` is shown, given ``answers`` (see above).

    Raises ValueError for a malformed condition (an unknown operator or shape).
    """
    if not show_if:
        return True
    return _holds(show_if, answers)


def _holds(condition: Mapping[str, Any], answers: Mapping[str, Answer]) -> bool:
    if not isinstance(condition, Mapping):
        raise ValueError(f"a condition must be a mapping; got {condition!r}")
    if "any" in condition:
        return any(_holds(c, answers) for c in _conditions(condition["any"]))
    if "all" in condition:
        return all(_holds(c, answers) for c in _conditions(condition["all"]))
    if "not" in condition:
        return not _holds(condition["not"], answers)
    op = condition.get("op")
    if op not in COMPARISONS or "question" not in condition:
        raise ValueError(f"unknown condition {condition!r}")
    answer = answers.get(condition["question"])
    expected = condition.get("value")
    if _blank(answer):
        return op in ("ne", "not_in")
    if op == "answered":
        return True
    if isinstance(answer, list):
        chosen = {str(a) for a in answer}
        if op == "eq":
            return str(expected) in chosen
        if op == "ne":
            return str(expected) not in chosen
        if op in ("in", "not_in"):
            hit = bool(chosen & {str(v) for v in _values(expected)})
            return hit if op == "in" else not hit
        return False  # no order on a set of choices
    if op in ("in", "not_in"):
        hit = any(_equal(answer, v) for v in _values(expected))
        return hit if op == "in" else not hit
    if op in ("eq", "ne"):
        return _equal(answer, expected) == (op == "eq")
    a, b = _number(answer), _number(expected)
    if a is None or b is None:
        return False
    return {"lt": a < b, "lte": a <= b, "gt": a > b, "gte": a >= b}[op]


def _conditions(value: Any) -> Sequence[Mapping[str, Any]]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"'any'/'all' take a list of conditions; got {value!r}")
    return value


def _values(value: Any) -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"'in'/'not_in' take a list of values; got {value!r}")
    return value


def _blank(answer: Answer) -> bool:
    if answer is None or answer == "" or answer == []:
        return True
    return isinstance(answer, float) and math.isnan(answer)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _equal(answer: Answer, expected: Any) -> bool:
    a, b = _number(answer), _number(expected)
    if a is not None and b is not None:
        return a == b
    return str(answer) == str(expected)


def show_if_problems(show_if: Mapping[str, Any] | None, codes: Iterable[str]) -> list[str]:
    """Why ``show_if`` cannot be stored: malformed, or naming a question not in ``codes``
    (the questions before it). Empty when it is fine."""
    if not show_if:
        return []
    known = set(codes)
    problems: list[str] = []

    def walk(condition: Any) -> None:
        if not isinstance(condition, Mapping):
            problems.append(f"not a condition: {condition!r}")
            return
        for key in ("any", "all"):
            if key in condition:
                if not isinstance(condition[key], list | tuple) or not condition[key]:
                    problems.append(f"'{key}' needs a non-empty list")
                    return
                for child in condition[key]:
                    walk(child)
                return
        if "not" in condition:
            walk(condition["not"])
            return
        if condition.get("op") not in COMPARISONS:
            problems.append(f"unknown operator {condition.get('op')!r}")
        if condition.get("question") not in known:
            problems.append(f"unknown question {condition.get('question')!r}")
        if condition.get("op") in ("in", "not_in") and not isinstance(
            condition.get("value"), list | tuple
        ):
            problems.append("'in'/'not_in' need a list value")

    walk(show_if)
    return problems


def low_score_threshold(scale: int) -> int:
    """The highest score that counts as low and asks why: 2 on 1–5, 4 on 1–10 (40 %)."""
    return max(1, math.floor(scale * 0.4))


# --- building ------------------------------------------------------------------------


@transaction.atomic
def questionnaire_from_library(
    *,
    actor,
    library: IndicatorLibrary,
    name: str,
    kind: str,
    posts: Iterable[Post | str] | None = None,
    scale: int = 5,
    include_expectations: bool = False,
) -> Questionnaire:
    """A draft questionnaire asking about the library's sub-indicators, then the overall
    items: overall satisfaction (1–``scale``), likelihood to recommend (0–10, NPS) with
    the detractor follow-up, and the renew/stay intention.

    ``posts`` (Post objects or codes; default all) chooses the posts asked about, in the
    library's order. Each item becomes a rating on 1–``scale`` or, with
    ``include_expectations``, an expectation/perception pair (type ``ep``). After each
    post's items comes one open question shown when any of them is scored low.
    """
    require_perm(actor, "surveys.add_questionnaire")
    _require_company(actor, library.company_id)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError(
            "invalid",
            _("Some fields are not valid."),
            details={"name": [_("Give the questionnaire a name of at most 100 characters.")]},
            status=422,
        )
    if kind not in Questionnaire.Kind.values:
        raise DomainError(
            "invalid",
            _("Some fields are not valid."),
            details={"kind": [_("Choose a relationship wave or an after-service survey.")]},
            status=422,
        )
    if scale not in SCALES:
        raise DomainError(
            "invalid",
            _("Some fields are not valid."),
            details={"scale": [_("Use a 5-, 7- or 10-point scale.")]},
            status=422,
        )
    problems = library_validate(library)
    if problems:
        raise DomainError(
            "invalid_weights",
            _("The weights under some indicators do not sum to 1."),
            details=problems,
            status=422,
        )
    nodes = list(
        IndicatorNode.objects.filter(library=library)
        .select_related("post")
        .order_by("sort_order", "id")
    )
    post_nodes = _chosen_posts(nodes, posts)
    children: dict[int, list[IndicatorNode]] = {}
    for node in nodes:
        if node.parent_id is not None:
            children.setdefault(node.parent_id, []).append(node)

    questionnaire = Questionnaire.objects.create(
        company_id=library.company_id, name=name, kind=kind, library=library
    )
    questions: list[Question] = []
    low = low_score_threshold(scale)

    def add(**fields) -> Question:
        question = Question(questionnaire=questionnaire, sort_order=len(questions), **fields)
        questions.append(question)
        return question

    for post_node in post_nodes:
        item_codes = []
        for dimension_node in children.get(post_node.id, []):
            for item in children.get(dimension_node.id, []):
                add(
                    code=item.code,
                    type=Question.Type.EXPECTATION_PERCEPTION
                    if include_expectations
                    else Question.Type.RATING,
                    text=item.text,
                    help_text=defaults.EP_HELP
                    if include_expectations
                    else defaults.RATING_HELP.format(scale=scale),
                    indicator=item,
                    scale_min=1,
                    scale_max=scale,
                )
                item_codes.append(item.code)
        if item_codes:
            add(
                code=f"{post_node.code}-why",
                type=Question.Type.TEXT,
                text=defaults.LOW_ITEM_TEXT.format(post=post_node.text),
                help_text=defaults.LOW_ITEM_HELP,
                required=False,
                show_if={"any": [{"question": c, "op": "lte", "value": low} for c in item_codes]},
            )
    add(
        code="overall",
        type=Question.Type.RATING,
        role=Question.Role.OVERALL,
        text=defaults.OVERALL_TEXT,
        help_text=defaults.RATING_HELP.format(scale=scale),
        scale_min=1,
        scale_max=scale,
    )
    add(
        code="recommend",
        type=Question.Type.RECOMMEND,
        role=Question.Role.RECOMMEND,
        text=defaults.RECOMMEND_TEXT,
        help_text=defaults.RECOMMEND_HELP,
        scale_min=0,
        scale_max=10,
    )
    add(
        code="recommend-why",
        type=Question.Type.TEXT,
        text=defaults.DETRACTOR_TEXT,
        help_text=defaults.DETRACTOR_HELP,
        required=False,
        show_if={"question": "recommend", "op": "lte", "value": DETRACTOR_MAX},
    )
    add(
        code="renew",
        type=Question.Type.SINGLE,
        role=Question.Role.RENEW,
        text=defaults.RENEW_TEXT,
        options=defaults.RENEW_OPTIONS,
    )
    Question.objects.bulk_create(questions)
    return questionnaire


def _chosen_posts(
    nodes: list[IndicatorNode], posts: Iterable[Post | str] | None
) -> list[IndicatorNode]:
    post_nodes = [n for n in nodes if n.level == IndicatorNode.Level.POST]
    if posts is None:
        return post_nodes
    wanted = [p.code if isinstance(p, Post) else str(p) for p in posts]
    by_code = {n.post.code if n.post_id else n.code: n for n in post_nodes}
    unknown = [code for code in wanted if code not in by_code]
    if unknown or not wanted:
        raise DomainError(
            "invalid",
            _("Some fields are not valid."),
            details={"posts": [_("Choose posts that the library has."), *unknown]},
            status=422,
        )
    return [n for n in post_nodes if (n.post.code if n.post_id else n.code) in wanted]


# --- life cycle ----------------------------------------------------------------------


def questionnaire_publish(*, actor, questionnaire: Questionnaire) -> Questionnaire:
    """Open a draft for answers and lock its library version (later edits make a new one).

    Refuses a questionnaire with no questions, a malformed ``show_if`` or a library whose
    weights do not sum to 1.
    """
    require_perm(actor, "surveys.change_questionnaire")
    _require_company(actor, questionnaire.company_id)
    with transaction.atomic():
        questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if questionnaire.status != Questionnaire.Status.DRAFT:
            raise DomainError(
                "not_draft", _("Only a draft questionnaire can be published."), status=409
            )
        questions = list(questionnaire.questions.order_by("sort_order", "id"))
        if not questions:
            raise DomainError("empty", _("The questionnaire has no questions."), status=422)
        seen: list[str] = []
        problems: dict[str, list[str]] = {}
        for question in questions:
            issues = show_if_problems(question.show_if, seen)
            if issues:
                problems[question.code] = issues
            seen.append(question.code)
        if problems:
            raise DomainError(
                "invalid_show_if",
                _("Some questions are shown on conditions that cannot be checked."),
                details=problems,
                status=422,
            )
        if questionnaire.library_id is not None:
            library = IndicatorLibrary.objects.select_for_update().get(pk=questionnaire.library_id)
            weight_problems = library_validate(library)
            if weight_problems:
                raise DomainError(
                    "invalid_weights",
                    _("The weights under some indicators do not sum to 1."),
                    details=weight_problems,
                    status=422,
                )
            if not library.is_locked:
                library.is_locked = True
                library.save(update_fields=["is_locked"])
        questionnaire.status = Questionnaire.Status.PUBLISHED
        questionnaire.save(update_fields=["status"])
    return questionnaire


def questionnaire_archive(*, actor, questionnaire: Questionnaire) -> Questionnaire:
    """Stop using a published questionnaire (its answers and scores stay)."""
    require_perm(actor, "surveys.change_questionnaire")
    _require_company(actor, questionnaire.company_id)
    updated = Questionnaire.objects.filter(
        pk=questionnaire.pk, status=Questionnaire.Status.PUBLISHED
    ).update(status=Questionnaire.Status.ARCHIVED)
    if not updated:
        raise DomainError(
            "not_published", _("Only a published questionnaire can be archived."), status=409
        )
    questionnaire.status = Questionnaire.Status.ARCHIVED
    return questionnaire


def _require_company(actor, company_id: int) -> None:
    scope = scope_for(actor)
    if not scope.everything and scope.company_id != company_id:
        raise DomainError("not_found", _("Not found."), status=404)
