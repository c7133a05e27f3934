"""Response quality: automatic checks that keep careless or fake answers out of scores.

Each check that fires adds a flag ``{"code", "reason", "data"}`` to
``Response.quality_flags`` (``reason`` is the Chinese text staff see, ``data`` the
numbers behind it). A response with flags is ``excluded`` from scores until a quality
lead restores it; the lead's latest decision (``QualityReview``) always wins over the
automatic checks, also when they run again.

The checks (codes are stable; API clients switch on them):

``speeder``
    Answered in under 1/3 of the questionnaire's median duration. The median is
    taken over the most recent 1,000 submitted responses of the questionnaire that
    have a duration; with fewer than 20 there is no baseline and nobody is flagged.
``straight_liner``
    At least 6 rating / expectation-perception items answered, all with the same
    score (the perception score of E/P items).
``duplicate_device``
    One device (``device_hash``) gave answers for at least 3 different respondents
    within 24 hours, or one network address (``address_hash``) for at least 5 within
    1 hour, in the same questionnaire. A respondent is a household; responses without
    a household count one respondent each. Every response of such a cluster is flagged.
    The network threshold is higher because households share public addresses
    (carrier NAT, estate Wi-Fi).
``staff_phone`` / ``staff_account``
    ``phone_hash`` (who submitted: the phone the owner logged in with, or for imports
    the export's phone / ID column) equals :func:`identity_hash` of a staff member's
    phone or account. Staff have no phone field: a user name that is a mainland mobile
    number counts as the staff member's phone; the user name, e-mail address and
    employee number count as the account.

``flag_response`` is idempotent: it recomputes the flags from stored data and leaves
the same state when run again. ``flag_responses`` does the same for a batch with a
fixed number of queries (imports).
"""

import datetime as dt
import ipaddress
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from ganzhi.core.errors import DomainError
from ganzhi.core.personal_data import is_valid_mobile, normalize_phone
from ganzhi.core.scoping import visible
from ganzhi.core.services import require_perm, require_project_in_scope
from ganzhi.org.models import Staff
from ganzhi.rollups import services as rollups
from ganzhi.surveys.models import Answer, QualityReview, Question, Response

SPEEDER = "speeder"
STRAIGHT_LINER = "straight_liner"
DUPLICATE_DEVICE = "duplicate_device"
STAFF_PHONE = "staff_phone"
STAFF_ACCOUNT = "staff_account"
FLAG_CODES = (SPEEDER, STRAIGHT_LINER, DUPLICATE_DEVICE, STAFF_PHONE, STAFF_ACCOUNT)

SPEEDER_RATIO = 1 / 3
SPEEDER_MIN_BASELINE = 20
SPEEDER_BASELINE_SIZE = 1000
STRAIGHT_LINE_MIN_ITEMS = 6
DEVICE_WINDOW = dt.timedelta(hours=24)
DEVICE_MIN_RESPONDENTS = 3
ADDRESS_WINDOW = dt.timedelta(hours=1)
ADDRESS_MIN_RESPONDENTS = 5
BATCH = 500

_HASH_SALT = "ganzhi.surveys.identity"
_SCORED_TYPES = (Question.Type.RATING, Question.Type.EXPECTATION_PERCEPTION)


# --- identity hashes (shared with the answering page and the imports) ---------------


def identity_hash(value: str) -> str:
    """A keyed SHA-256 of a phone number, user name, e-mail or device id (64 hex chars).

    Phone numbers are normalised first (spaces, +86), everything else is lower-cased,
    so the same person hashes the same way wherever the value came from. The key is
    ``GANZHI_IDENTITY_HASH_KEY`` (default: ``SECRET_KEY``): changing it breaks the
    comparison with hashes stored earlier.
    """
    text = str(value or "").strip()
    if not text:
        return ""
    phone = normalize_phone(text)
    text = phone if is_valid_mobile(phone) else text.lower()
    secret = getattr(settings, "GANZHI_IDENTITY_HASH_KEY", None) or settings.SECRET_KEY
    return salted_hmac(_HASH_SALT, text, secret=secret, algorithm="sha256").hexdigest()


def address_hash(ip: str) -> str:
    """The hash of a network address: the whole IPv4 address, or the /64 of an IPv6 one
    (one household's devices share it). Text around the address (survey tools append
    the place: ``36.112.3.4(北京-北京)``) is ignored; no address gives ``""``."""
    match = re.search(r"[0-9A-Fa-f:.]{3,}", str(ip or ""))
    if not match:
        return ""
    candidate = match.group(0).strip(".:")
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return ""
    if address.version == 6:
        network = ipaddress.ip_network(f"{address}/64", strict=False)
        return identity_hash(f"net:{network.network_address}/64")
    return identity_hash(f"net:{address}")


# --- describing flags ------------------------------------------------------------


def describe_flag(flag: dict) -> str:
    """The reason of a stored flag, in the current language."""
    code, data = flag.get("code", ""), flag.get("data") or {}
    try:
        if code == SPEEDER:
            return _("Answered in %(seconds)d s, under a third of the usual %(median)d s.") % data
        if code == STRAIGHT_LINER:
            return _("Gave every one of %(items)d rated items the same score (%(score)s).") % data
        if code == DUPLICATE_DEVICE and data.get("via") == "address":
            return (
                _(
                    "The same network address answered for %(respondents)d respondents "
                    "within %(minutes)d minutes."
                )
                % data
            )
        if code == DUPLICATE_DEVICE:
            return (
                _(
                    "The same device answered for %(respondents)d respondents "
                    "within %(minutes)d minutes."
                )
                % data
            )
        if code == STAFF_PHONE:
            return _("Submitted from the phone number of staff member %(name)s.") % data
        if code == STAFF_ACCOUNT:
            return _("Submitted with the account of staff member %(name)s.") % data
    except (KeyError, TypeError, ValueError):
        pass
    return flag.get("reason") or code


def _flag(code: str, **data) -> dict:
    flag = {"code": code, "data": data}
    with translation.override(settings.LANGUAGE_CODE):
        flag["reason"] = describe_flag(flag)
    return flag


def flag_codes(response: Response) -> list[str]:
    return [f.get("code", "") for f in response.quality_flags or []]


# --- running the checks ------------------------------------------------------------


def flag_response(response: Response) -> list[str]:
    """Run every check on ``response``, store its flags and ``excluded``; the codes."""
    return flag_responses([response])[response.pk]


@transaction.atomic
def flag_responses(responses: Iterable[Response]) -> dict[int, list[str]]:
    """:func:`flag_response` for many responses at once (response id → flag codes)."""
    responses = [r for r in responses if r.pk is not None]
    if not responses:
        return {}
    checker = _Checker(responses)
    result: dict[int, list[str]] = {}
    changed: list[Response] = []
    for response in responses:
        flags = checker.flags_for(response)
        result[response.pk] = [f["code"] for f in flags]
        if _apply(response, flags, checker.decisions.get(response.pk)):
            changed.append(response)
    Response.objects.bulk_update(changed, ["quality_flags", "excluded"], batch_size=BATCH)
    rollups.mark_dirty(rollups.Kind.SURVEYS, [(r.project_id, r.submitted_at) for r in changed])
    _flag_cluster_members(checker, {r.pk for r in responses})
    return result


def _apply(response: Response, flags: list[dict], decision: str | None) -> bool:
    """Set flags and exclusion (the reviewer's decision wins); True if anything changed."""
    excluded = decision == QualityReview.Action.EXCLUDE if decision else bool(flags)
    if response.quality_flags == flags and response.excluded == excluded:
        return False
    response.quality_flags = flags
    response.excluded = excluded
    return True


def _flag_cluster_members(checker: "_Checker", done: set[int]) -> None:
    """Responses outside the batch that share a device cluster with it get the flag too."""
    pending = {pk: flag for pk, flag in checker.cluster_members.items() if pk not in done}
    if not pending:
        return
    decisions = _decisions(pending)
    changed = []
    for other in Response.objects.filter(pk__in=list(pending)):
        flags = list(other.quality_flags or [])
        if DUPLICATE_DEVICE in (f.get("code") for f in flags):
            continue
        flags.append(pending[other.pk])
        flags.sort(key=lambda f: FLAG_CODES.index(f["code"]) if f["code"] in FLAG_CODES else 99)
        if _apply(other, flags, decisions.get(other.pk)):
            changed.append(other)
    Response.objects.bulk_update(changed, ["quality_flags", "excluded"], batch_size=BATCH)
    rollups.mark_dirty(rollups.Kind.SURVEYS, [(r.project_id, r.submitted_at) for r in changed])


def _decisions(response_ids: Iterable[int]) -> dict[int, str]:
    """The latest review decision of each response that has one."""
    decisions: dict[int, str] = {}
    ids = list(response_ids)
    for start in range(0, len(ids), BATCH):
        reviews = QualityReview.objects.filter(response_id__in=ids[start : start + BATCH])
        for response_id, action in reviews.order_by("at", "id").values_list(
            "response_id", "action"
        ):
            decisions[response_id] = action
    return decisions


def _when(response) -> dt.datetime:
    return response.submitted_at or response.started_at


@dataclass(frozen=True)
class _Event:
    pk: int
    respondent: str
    at: dt.datetime


class _Checker:
    """Loads what the checks need for a batch of responses, in a fixed number of queries."""

    def __init__(self, responses: list[Response]) -> None:
        self.responses = responses
        ids = [r.pk for r in responses]
        self.decisions = _decisions(ids)
        self.medians = {
            qid: _baseline_median(qid) for qid in {r.questionnaire_id for r in responses}
        }
        self.scores = _scores(ids)
        self.staff = {
            cid: _staff_identities(cid) for cid in {r.company_id for r in responses if r.phone_hash}
        }
        self.events = {
            "device": self._events(responses, "device_hash", DEVICE_WINDOW),
            "address": self._events(responses, "address_hash", ADDRESS_WINDOW),
        }
        self.cluster_members: dict[int, dict] = {}

    @staticmethod
    def _events(responses, field: str, window: dt.timedelta) -> dict[tuple, list[_Event]]:
        wanted: dict[int, set[str]] = defaultdict(set)
        times: dict[int, list[dt.datetime]] = defaultdict(list)
        for r in responses:
            if getattr(r, field):
                wanted[r.questionnaire_id].add(getattr(r, field))
                times[r.questionnaire_id].append(_when(r))
        events: dict[tuple, list[_Event]] = defaultdict(list)
        for questionnaire_id, hashes in wanted.items():
            low, high = min(times[questionnaire_id]) - window, max(times[questionnaire_id]) + window
            hashes = sorted(hashes)
            for start in range(0, len(hashes), BATCH):
                rows = Response.objects.filter(
                    Q(submitted_at__range=(low, high))
                    | Q(submitted_at__isnull=True, started_at__range=(low, high)),
                    questionnaire_id=questionnaire_id,
                    **{f"{field}__in": hashes[start : start + BATCH]},
                ).values_list("pk", field, "household_id", "submitted_at", "started_at")
                for pk, value, household_id, submitted_at, started_at in rows:
                    respondent = f"h{household_id}" if household_id else f"r{pk}"
                    events[(questionnaire_id, value)].append(
                        _Event(pk, respondent, submitted_at or started_at)
                    )
        return events

    def flags_for(self, response: Response) -> list[dict]:
        flags = []
        for check in (self._speeder, self._straight_liner, self._duplicate, self._staff):
            flags.extend(check(response))
        return flags

    def _speeder(self, response: Response) -> list[dict]:
        median = self.medians.get(response.questionnaire_id)
        seconds = response.duration_seconds
        if median is None or seconds is None or seconds >= median * SPEEDER_RATIO:
            return []
        return [_flag(SPEEDER, seconds=int(seconds), median=round(median))]

    def _straight_liner(self, response: Response) -> list[dict]:
        scores = self.scores.get(response.pk, [])
        if len(scores) < STRAIGHT_LINE_MIN_ITEMS or len(set(scores)) != 1:
            return []
        score = scores[0]
        return [
            _flag(
                STRAIGHT_LINER,
                items=len(scores),
                score=int(score) if float(score).is_integer() else score,
            )
        ]

    def _duplicate(self, response: Response) -> list[dict]:
        for via, field, window, minimum in (
            ("device", "device_hash", DEVICE_WINDOW, DEVICE_MIN_RESPONDENTS),
            ("address", "address_hash", ADDRESS_WINDOW, ADDRESS_MIN_RESPONDENTS),
        ):
            value = getattr(response, field)
            if not value:
                continue
            events = self.events[via].get((response.questionnaire_id, value), [])
            cluster = _cluster_around(events, response.pk, _when(response), window, minimum)
            if cluster:
                flag = _flag(
                    DUPLICATE_DEVICE,
                    via=via,
                    respondents=len({e.respondent for e in cluster}),
                    minutes=int(window.total_seconds() // 60),
                )
                for event in cluster:
                    if event.pk != response.pk:
                        self.cluster_members.setdefault(event.pk, flag)
                return [flag]
        return []

    def _staff(self, response: Response) -> list[dict]:
        if not response.phone_hash:
            return []
        match = self.staff.get(response.company_id, {}).get(response.phone_hash)
        if match is None:
            return []
        kind, staff = match
        code = STAFF_PHONE if kind == "phone" else STAFF_ACCOUNT
        return [_flag(code, staff=str(staff.public_id), name=staff.name)]


def _cluster_around(
    events: list[_Event], pk: int, at: dt.datetime, window: dt.timedelta, minimum: int
) -> list[_Event]:
    """The events of the first ``window``-long span holding ``at`` that has at least
    ``minimum`` distinct respondents, or [] if there is none."""
    events = sorted(events, key=lambda e: (e.at, e.pk))
    if all(e.pk != pk for e in events):
        return []
    for start in events:
        if not (at - window <= start.at <= at):
            continue
        inside = [e for e in events if start.at <= e.at <= start.at + window]
        if len({e.respondent for e in inside}) >= minimum:
            return inside
    return []


def _baseline_median(questionnaire_id: int) -> float | None:
    durations = list(
        Response.objects.filter(
            questionnaire_id=questionnaire_id,
            submitted_at__isnull=False,
            duration_seconds__isnull=False,
        )
        .order_by("-submitted_at", "-id")
        .values_list("duration_seconds", flat=True)[:SPEEDER_BASELINE_SIZE]
    )
    if len(durations) < SPEEDER_MIN_BASELINE:
        return None
    return float(statistics.median(durations))


def _scores(response_ids: list[int]) -> dict[int, list[float]]:
    scores: dict[int, list[float]] = defaultdict(list)
    for start in range(0, len(response_ids), BATCH):
        rows = Answer.objects.filter(
            response_id__in=response_ids[start : start + BATCH],
            question__type__in=_SCORED_TYPES,
            number__isnull=False,
        ).values_list("response_id", "number")
        for response_id, number in rows:
            scores[response_id].append(number)
    return scores


def _staff_identities(company_id: int) -> dict[str, tuple[str, Staff]]:
    """identity hash → ("phone" | "account", staff member) for the company's staff."""
    identities: dict[str, tuple[str, Staff]] = {}
    for staff in Staff.objects.filter(company_id=company_id).select_related("user"):
        values = [staff.employee_no]
        if staff.user_id:
            values += [staff.user.username, staff.user.email]
        for value in values:
            if not value:
                continue
            kind = "phone" if is_valid_mobile(normalize_phone(value)) else "account"
            digest = identity_hash(value)
            if kind == "phone" or digest not in identities:
                identities[digest] = (kind, staff)
    return identities


# --- the quality lead's page and decision -----------------------------------------


def flagged_responses(
    *, user, project=None, status: str = "", flag: str = ""
) -> QuerySet[Response]:
    """Responses with flags or a review, in the user's scope, newest first."""
    reviewed = QualityReview.objects.filter(response=OuterRef("pk"))
    responses = (
        visible(
            Response.objects.select_related(
                "project", "questionnaire", "household__unit__building"
            ),
            user,
        )
        .annotate(reviewed=Exists(reviewed))
        .filter(submitted_at__isnull=False)
        .filter(~Q(quality_flags=[]) | Q(reviewed=True))
    )
    if project:
        responses = responses.filter(project=project)
    if status == "excluded":
        responses = responses.filter(excluded=True)
    elif status == "restored":
        responses = responses.filter(excluded=False)
    elif status == "unreviewed":
        responses = responses.filter(reviewed=False)
    if flag in FLAG_CODES:
        # JSON containment is not portable (SQLite); both databases write '"code": "…"'
        responses = responses.annotate(flags_text=Cast("quality_flags", TextField())).filter(
            flags_text__contains=f'"code": "{flag}"'
        )
    return responses.order_by("-submitted_at", "-id")


@transaction.atomic
def response_review(*, actor, response: Response, action: str, reason: str) -> QualityReview:
    """Exclude a response from scores or restore it, with a reason (audited)."""
    require_perm(actor, "surveys.review_response")
    require_project_in_scope(actor, response.project)
    if action not in QualityReview.Action.values:
        raise DomainError(
            "invalid",
            _("Choose whether to exclude or restore the response."),
            details={"action": [_("Unknown action.")]},
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "invalid",
            _("Give the reason for the decision."),
            details={"reason": [_("Required.")]},
        )
    response = Response.objects.select_for_update().get(pk=response.pk)
    review = QualityReview.objects.create(
        response=response, action=action, reason=reason[:200], by=actor
    )
    response.excluded = action == QualityReview.Action.EXCLUDE
    response.save(update_fields=["excluded"])
    return review
