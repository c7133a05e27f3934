"""The public answering page ``/s/<token>/`` (owners' phones, no login).

One page holds the whole questionnaire. Every change is saved to the draft
(``/s/<token>/save/``, a small fetch from ``surveys/answer.js``), which also shows and
hides conditional questions as the answers change; the server decides the same with
``questionnaires.is_shown`` when it renders and on submit. Without JavaScript the page
still works: every question is shown and the submit button posts everything.

Every request is counted per client address (``ganzhi.core.ratelimit``); an address that
tries many invalid links is refused for an hour (no guessing). Over a limit: 429.
"""

import functools
import json
import secrets

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ganzhi.core import ratelimit
from ganzhi.core.errors import DomainError
from ganzhi.core.roles import Role
from ganzhi.surveys import answering
from ganzhi.surveys.models import Question
from ganzhi.surveys.tokens import AlreadyAnswered, ExpiredToken, InvalidToken, invitation_for_token

# (limit, window in seconds) per client address. Households share public addresses
# (carrier NAT, estate Wi-Fi), so the overall limit is generous; invalid links are not.
LIMITS = {
    "request": (600, 3600),  # any /s/ request or public API submit
    "submit": (60, 3600),  # submits
    "invalid": (30, 3600),  # forged or unknown links (guessing)
}
DEVICE_COOKIE = "ganzhi_survey_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600


class Limited(Exception):
    pass


def _key(name: str, request) -> str:
    return f"surveys:{name}:{ratelimit.client_address(request)}"


def count_request(request, name: str = "request") -> None:
    """Count one request; raise Limited when over a limit (or the address is blocked for
    trying invalid links)."""
    limit, _window = LIMITS["invalid"]
    if ratelimit.count(_key("invalid", request)) >= limit:
        raise Limited
    limit, window = LIMITS[name]
    if not ratelimit.hit(_key(name, request), limit=limit, window_seconds=window):
        raise Limited


def count_invalid(request) -> None:
    limit, window = LIMITS["invalid"]
    ratelimit.hit(_key("invalid", request), limit=limit, window_seconds=window)


def limited(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Limited:
            if request.headers.get("X-Requested-With") == "fetch":
                return JsonResponse(
                    {"code": "rate_limited", "message": _("Too many requests. Please wait.")},
                    status=429,
                )
            return render(request, "surveys/answer_limited.html", status=429)

    return wrapper


def submitter_of(request) -> str:
    """Who is logged in while answering, for the staff check of the quality module: a
    staff user's user name, or the phone of the owner logged in to the portal."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.role != Role.OWNER:
        return user.username
    from ganzhi.portal.access import portal_owners

    owners = portal_owners(request)
    return owners[0].phone if owners else ""


def device_of(request) -> str:
    return request.COOKIES.get(DEVICE_COOKIE, "")[:64]


def _remember_device(request, response):
    if not request.COOKIES.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(16),
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def _link_problem(request, exc: DomainError):
    if isinstance(exc, InvalidToken):  # only a forged link can come from guessing
        count_invalid(request)
    if request.headers.get("X-Requested-With") == "fetch":
        return JsonResponse(exc.as_dict(), status=exc.status)
    template = {
        AlreadyAnswered: "surveys/answer_done.html",
        ExpiredToken: "surveys/answer_expired.html",
    }.get(type(exc), "surveys/answer_invalid.html")
    status = 200 if isinstance(exc, AlreadyAnswered) else exc.status
    return render(request, template, {"message": exc.message}, status=status)


# --- building the page -------------------------------------------------------------


def _items(questions, values, shown, errors):
    """What the template needs for each question, in order."""
    items = []
    for number, question in enumerate(questions, start=1):
        low, high = answering.scale_of(question)
        value = values.get(question.code)
        kind = question.type
        item = {
            "q": question,
            "code": question.code,
            "number": number,
            "kind": kind,
            "value": value,
            "shown": question.code in shown,
            "error": " ".join(errors.get(question.code, [])),
            "show_if": json.dumps(question.show_if, ensure_ascii=False) if question.show_if else "",
            "scale": list(range(low, high + 1)) if low < high else [],
            "stars": kind == Question.Type.RATING and (low, high) == (1, 5),
            "options": [
                {"value": v, "label": _option_label(o, v)}
                for o, v in zip(
                    question.options or [], answering.option_values(question), strict=False
                )
            ],
        }
        if kind == Question.Type.EXPECTATION_PERCEPTION:
            item["e"] = (value or {}).get("expectation")
            item["p"] = (value or {}).get("perception")
        if kind == Question.Type.MULTIPLE:
            item["chosen"] = value or []
        items.append(item)
    return items


def _option_label(option, value: str) -> str:
    if isinstance(option, dict):
        return str(option.get("label") or value)
    return value


def _values_for_display(questions, raw, saved):
    """Saved answers, overlaid with what the owner just posted where it is valid."""
    values = dict(saved)
    for question in questions:
        if question.code not in raw:
            continue
        try:
            value = answering.clean_value(question, raw[question.code])
        except ValueError:
            continue
        if value is None:
            values.pop(question.code, None)
        else:
            values[question.code] = value
    return values


def _page(request, token, invitation, response, *, values, errors, anonymous=False, status=200):
    questions = answering.questions_of(invitation.questionnaire)
    shown = answering.shown_codes(questions, values)
    context = {
        "token": token,
        "invitation": invitation,
        "questionnaire": invitation.questionnaire,
        "project": invitation.project,
        "order": invitation.workorder,
        "items": _items(questions, values, shown, errors),
        "errors": errors,
        "anonymous": anonymous,
        "required_message": _("Please answer this question."),
    }
    page = render(request, "surveys/answer_form.html", context, status=status)
    return _remember_device(request, page)


# --- views -------------------------------------------------------------------------


@limited
def answer(request, token):
    count_request(request)
    try:
        invitation = invitation_for_token(token)
    except (InvalidToken, ExpiredToken, AlreadyAnswered) as exc:
        return _link_problem(request, exc)
    response = answering.response_open(invitation)
    questions = answering.questions_of(invitation.questionnaire)
    if request.method != "POST":
        values = answering.answers_of(response, questions)
        return _page(request, token, invitation, response, values=values, errors={})
    count_request(request, "submit")
    raw = answering.answers_from_form(questions, request.POST)
    anonymous = request.POST.get("anonymous") == "1"
    try:
        errors = answering.draft_save(response=response, answers=raw)
        if errors:
            errors = {**answering.missing_required(response), **errors}
        else:
            answering.survey_response_submit(
                response=response,
                anonymous=anonymous,
                device=device_of(request),
                address=ratelimit.client_address(request),
                submitter=submitter_of(request),
            )
    except AlreadyAnswered as exc:
        return _link_problem(request, exc)
    except DomainError as exc:
        errors = exc.details or {"form": [exc.message]}
    if not errors:
        return redirect("surveys_owner:thanks")
    saved = answering.answers_of(response, questions)
    values = _values_for_display(questions, raw, saved)
    return _page(
        request,
        token,
        invitation,
        response,
        values=values,
        errors=errors,
        anonymous=anonymous,
        status=422,
    )


@require_POST
@limited
def save(request, token):
    """Save the draft (the whole form); answers ``{"saved": true, "errors": {…}}``."""
    count_request(request)
    try:
        invitation = invitation_for_token(token)
    except (InvalidToken, ExpiredToken, AlreadyAnswered) as exc:
        return _link_problem(request, exc)
    response = answering.response_open(invitation)
    questions = answering.questions_of(invitation.questionnaire)
    try:
        errors = answering.draft_save(
            response=response, answers=answering.answers_from_form(questions, request.POST)
        )
    except AlreadyAnswered as exc:
        return _link_problem(request, exc)
    return JsonResponse({"saved": True, "errors": errors})


def thanks(request):
    return render(request, "surveys/answer_thanks.html")
