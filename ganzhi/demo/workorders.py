"""Work orders for the demo company: two years of history, planted problems, a live queue.

``generate_workorders`` runs after the registry (``generate_demo`` calls it once
``workorder_defaults_ensure`` has given the company its categories, promises and
calendar). For every project it writes:

- **History**: orders created in the ``years`` years up to the reference day,
  deterministic per seed (``Random`` per project, derived from the project's
  sub-seed; nothing depends on database ids, the backend or the clock). Volume,
  category mix, seasonality, channels, timings, ratings and the planted problems
  are the constants below, documented in docs/demo-data.md ("Work orders" and
  "Planted effects").
- **Live orders**: a small set created in the last hours before the real time of
  generation (``now``), some within their promise (countdowns), some already
  breached — the only part that depends on the clock.

Every order's life is *simulated through the product's rules*, not invented
field by field: ``_Order`` applies each step (create, dispatch, accept, start,
wait on owner, resolve, follow-up call, reopen, close, urge, recovery) the way
``ganzhi.workorders.services`` does — the same promise (``sla_policy_for``,
``calendar_for_project`` + ``spec_of``, ``sla_time.add_minutes``), the same
clock pause and resume, the same reopen — and runs the SLA sweep at each of its
check times (``services._check_times``) as a sweep that never sleeps would:
warnings, breaches (``response_breached`` / ``resolve_breached``), escalation
steps (``Escalation`` rows, ``escalation_level``) and their timeline events. An
open order's ``next_check_at`` is ``services._next_check`` at the cut-off, so the
real sweep takes over from there.

Timings are drawn on the order's own clock (business minutes for business-hours
promises, real minutes for 24×7 ones): an order meant to keep its promise is
responded to and resolved a whole number of clock minutes *before* its due time,
one meant to break it at least five minutes *after*; the breached flags follow
from the simulated sweep, never from the draw.

Rows are written with ``ganzhi.demo.bulk.FastTable`` (ids allocated up front,
``COPY`` / ``executemany``), one transaction per chunk of projects.
"""

from __future__ import annotations

import datetime as dt
import json
from bisect import bisect
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from itertools import accumulate
from random import Random
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext

from ganzhi.demo import workorder_texts as texts
from ganzhi.demo.bulk import FastTable, TimeOrderedIds
from ganzhi.demo.names import Weighted
from ganzhi.org.models import Building, Company, Project, Staff, Unit
from ganzhi.owners.models import HouseholdMember
from ganzhi.workorders import services, states
from ganzhi.workorders.calendars import calendar_for_project, spec_of
from ganzhi.workorders.models import (
    OPEN_STATES,
    Category,
    Escalation,
    FollowUp,
    Kind,
    Priority,
    QRPlace,
    ServiceRecovery,
    SLAPolicy,
    State,
    WorkOrder,
    WorkOrderEvent,
)
from ganzhi.workorders.sla_time import add_minutes, business_minutes_between

if TYPE_CHECKING:
    from ganzhi.demo.generator import ProjectSpec

UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

WORKORDER_YEARS = 2  # years of history up to the reference day
MAX_WORKORDER_YEARS = 5
CHUNK_HOUSEHOLDS = 10_000  # projects are written in transactions of about this many households
LIVE_HOURS = 36  # live orders: created in the last this many hours before ``now``
HISTORY_SALT = 0x5EED_0F_0DE5  # the history's Random: the project's sub-seed xor this
LIVE_SALT = 0x11FE  # the live part's: sub-seed xor this

# --- Volume ------------------------------------------------------------------------
# Orders per household (homes and shops; parking spaces report nothing) and year:
# uniform(1.1, 1.5) per project, plus 0.025 per year of the project's age (at most 16).
RATE_BASE = (1.1, 1.5)
RATE_PER_YEAR_OF_AGE = 0.025
RATE_MAX_AGE = 16
# A project delivered during the history window has a decoration boom in its first
# year: this many extra orders per household, of these categories.
DECORATION_BOOM = 0.6
DECORATION_CATEGORIES = Weighted(
    {"enquiry-decoration": 5, "complaint-decoration": 4, "clean-garbage": 2, "complaint-noise": 1}
)
FREQUENT_SHARE = 0.08  # households that report more than others …
FREQUENT_PICK = 0.3  # … receive this share of the orders on a unit

# --- Category mix: code → (weight, share on a public area (no unit), season) --------
CATEGORY_MIX: dict[str, tuple[float, float, str]] = {
    "repair-water": (9.0, 0.08, "water"),
    "repair-leak": (5.5, 0.15, "rain"),
    "repair-power": (5.5, 0.12, "winter"),
    "repair-lift": (2.5, 1.0, "flat"),
    "repair-door": (5.5, 0.15, "flat"),
    "repair-access": (3.5, 0.5, "flat"),
    "repair-public": (4.0, 1.0, "flat"),
    "repair-light": (3.0, 1.0, "dark"),
    "repair-garage": (1.2, 1.0, "rain_mild"),  # only in projects with a garage
    "repair-fire": (0.8, 1.0, "flat"),
    "clean-public": (4.0, 0.8, "flat"),
    "clean-garbage": (3.0, 0.8, "festival"),
    "clean-pest": (2.0, 0.5, "pest"),
    "green-care": (2.0, 0.9, "green"),
    "green-damage": (0.6, 0.7, "green"),
    "complaint-service": (1.8, 0.1, "flat"),
    "complaint-security": (1.5, 0.3, "flat"),
    "complaint-cleaning": (1.6, 0.3, "flat"),
    "complaint-repair": (1.8, 0.0, "flat"),
    "complaint-parking": (2.2, 0.3, "flat"),
    "complaint-noise": (2.0, 0.1, "summer"),
    "complaint-neighbour": (1.4, 0.0, "flat"),
    "complaint-pet": (1.3, 0.2, "flat"),
    "complaint-decoration": (2.0, 0.0, "decoration"),
    "complaint-throwing": (0.3, 0.0, "flat"),
    "complaint-leak": (0.9, 0.0, "rain"),
    "complaint-fee": (1.3, 0.0, "fee"),
    "complaint-lift": (0.9, 0.4, "flat"),
    "enquiry-fee": (4.0, 0.0, "fee"),
    "enquiry-decoration": (2.5, 0.0, "decoration"),
    "enquiry-parking": (1.8, 0.0, "flat"),
    "enquiry-general": (4.5, 0.0, "flat"),
    "suggestion-general": (2.5, 0.4, "flat"),
    "praise-staff": (2.0, 0.0, "flat"),
}
# Month factors (January … December) of each season profile.
SEASONS: dict[str, tuple[float, ...]] = {
    "flat": (1,) * 12,
    "rain": (0.6, 0.6, 0.8, 1.2, 1.8, 2.6, 2.6, 2.0, 1.2, 0.8, 0.6, 0.6),  # rainy May–Aug
    "rain_mild": (0.8, 0.8, 0.9, 1.0, 1.3, 1.6, 1.6, 1.4, 1.1, 0.9, 0.8, 0.8),
    "water": (1.4, 1.1, 0.9, 0.9, 1.0, 1.2, 1.2, 1.2, 1.0, 0.9, 0.9, 1.2),  # frozen pipes, rain
    "winter": (1.8, 1.5, 1.0, 0.8, 0.8, 1.0, 1.2, 1.2, 0.8, 0.8, 1.1, 1.6),  # heaters, AC
    "dark": (1.5, 1.3, 1.0, 0.9, 0.8, 0.8, 0.8, 0.9, 1.0, 1.1, 1.3, 1.5),  # long nights
    "decoration": (0.5, 0.4, 1.6, 1.8, 1.2, 0.8, 0.6, 0.8, 1.5, 1.7, 1.4, 0.8),  # spring, autumn
    "pest": (0.4, 0.4, 0.5, 0.8, 1.4, 2.0, 2.2, 2.0, 1.6, 1.0, 0.5, 0.4),
    "green": (0.4, 0.4, 1.2, 1.5, 1.5, 1.5, 1.5, 1.5, 1.3, 1.0, 0.7, 0.4),
    "summer": (0.8, 0.8, 0.9, 1.0, 1.1, 1.4, 1.5, 1.4, 1.0, 0.9, 0.8, 0.8),  # windows open
    "fee": (1.8, 1.0, 0.9, 0.8, 0.8, 0.9, 1.3, 0.9, 0.8, 0.8, 0.9, 1.5),  # annual bills
    "festival": (1.0, 1.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.3, 1.0, 1.0),
}
SPRING_FESTIVAL = 0.45  # day factor on the official Spring Festival holidays …
SPRING_FESTIVAL_NEAR = 0.8  # … and the three days either side
NATIONAL_DAY = 0.85
# Local hour of creation (0 … 23).
HOURS = Weighted(
    list(
        enumerate(
            [
                *(0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.6, 2.0, 4.5, 7.5, 8.0, 7.0),
                *(4.5, 4.5, 6.0, 6.0, 5.5, 5.0, 5.0, 6.0, 5.5, 4.0, 2.0, 0.8),
            ]
        )
    )
)

# --- Channels ------------------------------------------------------------------------
UNIT_CHANNELS = {
    Kind.REPAIR: Weighted({"phone": 42, "wechat": 30, "portal": 18, "walk_in": 10}),
    Kind.COMPLAINT: Weighted(
        {"phone": 45, "wechat": 22, "portal": 13, "walk_in": 15, "meeting": 5}
    ),
    Kind.ENQUIRY: Weighted({"phone": 48, "walk_in": 25, "wechat": 20, "portal": 7}),
    Kind.SUGGESTION: Weighted(
        {"portal": 30, "wechat": 30, "meeting": 20, "walk_in": 10, "phone": 10}
    ),
    Kind.PRAISE: Weighted({"phone": 30, "wechat": 35, "portal": 15, "walk_in": 20}),
}
PUBLIC_CHANNELS = {
    Kind.REPAIR: Weighted({"patrol": 35, "qr": 15, "phone": 25, "wechat": 15, "portal": 10}),
    Kind.COMPLAINT: Weighted({"phone": 45, "wechat": 25, "portal": 15, "qr": 5, "walk_in": 10}),
    Kind.ENQUIRY: Weighted({"phone": 60, "walk_in": 40}),
    Kind.SUGGESTION: Weighted({"portal": 30, "wechat": 25, "meeting": 30, "qr": 15}),
    Kind.PRAISE: Weighted({"phone": 50, "wechat": 50}),
}
# On a unit, 60% of reporters use the channel they prefer (Owner.preferred_channel).
PREFERRED_SHARE = 0.6
PREFERRED = {
    "wechat": Weighted({"wechat": 70, "portal": 30}),
    "phone": Weighted({"phone": 1}),
    "sms": Weighted({"phone": 1}),
    "visit": Weighted({"walk_in": 1}),
    "email": Weighted({"portal": 1}),
}

# --- Promises kept, ratings -----------------------------------------------------------
ATTAINMENT = (0.87, 0.94)  # per project: uniform share of orders meant to keep both promises
FAIL_BY_KIND = {  # × the project's failure share
    Kind.REPAIR: 1.1,
    Kind.COMPLAINT: 1.3,
    Kind.ENQUIRY: 0.4,
    Kind.SUGGESTION: 0.6,
    Kind.PRAISE: 0.3,
}
BREACH_MODE = Weighted({"response": 35, "resolve": 45, "both": 20})
WORSE_ATTAINMENT = 0.70  # the planted project after its staff change
FOLLOWUP_OUTCOME = Weighted({"reached": 82, "not_reached": 13, "declined": 5})
RATING = {  # (complaint?, breached?) → rating 1–5
    (False, False): Weighted({5: 62, 4: 29, 3: 7, 2: 1.5, 1: 0.5}),
    (False, True): Weighted({5: 22, 4: 33, 3: 28, 2: 11, 1: 6}),
    (True, False): Weighted({5: 46, 4: 35, 3: 14, 2: 4, 1: 1}),
    (True, True): Weighted({5: 12, 4: 27, 3: 32, 2: 18, 1: 11}),
}
PRAISE_RATING = Weighted({5: 95, 4: 5})
RATING_AFTER_REOPEN = Weighted({3: 35, 4: 45, 5: 20})
REFIX_ON_TIME = 0.7  # reopened orders fixed again within the new promise
RECOVERY_AFTER_BREACH = 0.35  # breached complaints rated 3 that get a service recovery
URGE_WHEN_LATE = 0.3  # owners who urge (催单) an order past its resolution due time
# Repeat complaints: a complaint on a unit is followed by another of the same household
# and category 2–26 days later with this probability (and that one again with 0.3).
REPEAT_SPAWN = 0.12
REPEAT_AGAIN = 0.3
CLEAR_ALL = 0.65  # complaints with all five CLEAR steps ticked

# --- Planted problems (docs/demo-data.md) ------------------------------------------
# (1) the garage leak: from the rainy season on, in the first project with an
# underground garage; orders created from GARAGE_OPEN_FROM on are never resolved.
GARAGE_VICTIMS = (6, 10)  # parking households hit by the leak
GARAGE_GAP_DAYS = (3.0, 7.0)  # days between two reports
GARAGE_CHANNELS = Weighted({"phone": 50, "wechat": 30, "walk_in": 20})
GARAGE_RATING = Weighted({1: 30, 2: 35, 3: 35})  # follow-up calls on the patched leaks
# (2) the project after a staff change: attainment WORSE_ATTAINMENT from WORSE_FROM on.
# (3) cleaning complaints ×CLEANING_RISE in the last quarter (the three months up to
# the reference day).
CLEANING_RISE = 2.6


def _month_start(day: dt.date, back: int) -> dt.date:
    month = day.year * 12 + day.month - 1 - back
    return dt.date(month // 12, month % 12 + 1, 1)


def planted_dates(reference: dt.date) -> dict[str, dt.date]:
    """The planted effects' dates for ``reference`` (2026-10-31: garage from 2026-05-10,
    open from 2026-09-01; staff change 2026-06-01; cleaning from 2026-08-01)."""
    return {
        "garage_from": _month_start(reference, 5) + dt.timedelta(days=9),
        "garage_open_from": _month_start(reference, 1),
        "worse_from": _month_start(reference, 4),
        "cleaning_from": _month_start(reference, 2),
    }


@dataclass
class WorkOrderSummary:
    orders: int = 0
    live: int = 0
    events: int = 0
    followups: int = 0
    escalations: int = 0
    recoveries: int = 0
    places: int = 0


class _Cut(Exception):
    """The order's life reached the cut-off (the reference day, or now)."""


OPEN = frozenset(OPEN_STATES)
NEW, DISPATCHED, ACCEPTED = State.NEW.value, State.DISPATCHED.value, State.ACCEPTED.value
IN_PROGRESS, WAITING = State.IN_PROGRESS.value, State.WAITING_OWNER.value
RESOLVED, CLOSED = State.RESOLVED.value, State.CLOSED.value


class E:
    """WorkOrderEvent.Type values as plain strings (enum attribute access is slow)."""

    CREATED = WorkOrderEvent.Type.CREATED.value
    TRANSITION = WorkOrderEvent.Type.TRANSITION.value
    COMMENT = WorkOrderEvent.Type.COMMENT.value
    URGE = WorkOrderEvent.Type.URGE.value
    WARNING = WorkOrderEvent.Type.WARNING.value
    BREACH = WorkOrderEvent.Type.BREACH.value
    ESCALATION = WorkOrderEvent.Type.ESCALATION.value
    FOLLOW_UP = WorkOrderEvent.Type.FOLLOW_UP.value
    RECOVERY = WorkOrderEvent.Type.RECOVERY.value


REPAIR, COMPLAINT = Kind.REPAIR.value, Kind.COMPLAINT.value
EMERGENCY = Priority.EMERGENCY.value
BUSINESS = SLAPolicy.Clock.BUSINESS.value
ENQUIRY, SUGGESTION, PRAISE = Kind.ENQUIRY.value, Kind.SUGGESTION.value, Kind.PRAISE.value
QUICK = frozenset({ENQUIRY, SUGGESTION, PRAISE})
REACHED = FollowUp.Outcome.REACHED.value


class _Messages:
    """The texts the services write, in the site language (as a run of the product would)."""

    def __init__(self) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            self.owner = gettext("Owner")
            self.response_broken = gettext("Response promise broken.")
            self.response_soon = gettext("Response due soon.")
            self.resolve_soon = gettext("Resolution due soon.")
            self.resolve_broken = gettext("Resolution promise broken.")
            self.escalated = {
                level: gettext("Escalated to %(who)s.")
                % {"who": str(services.ESCALATION_LABELS[services.ESCALATION_CHAIN[level]])}
                for level in range(2, len(services.ESCALATION_CHAIN))
            }
            self.closed_satisfied = gettext("Closed after a satisfied follow-up call.")
            self.reopened = gettext("Reopened: the owner was not satisfied.")


MSG: _Messages | None = None


def _json(value) -> str:
    return json.dumps(value)


_ASSIGNEE_JSON: dict[str, str] = {}
_JSON: dict[tuple, str] = {}


def _cached_json(**values) -> str:
    """json.dumps(values), remembered (for the few distinct values of common events)."""
    key = tuple(values.items())
    data = _JSON.get(key)
    if data is None:
        data = _JSON[key] = _json(values)
    return data


def _assignee_json(name: str) -> str:
    data = _ASSIGNEE_JSON.get(name)
    if data is None:
        data = _ASSIGNEE_JSON[name] = _json({"assignee": name})
    return data


EMPTY = _json({})
EMPTY_LIST = _json([])


class _Order:
    """One work order, moved through its life by the services' rules (see module doc)."""

    __slots__ = (
        "_checks",
        "assignee_id",
        "assignee_name",
        "category",
        "channel",
        "clear_steps",
        "closed_at",
        "created_at",
        "creator",
        "cutoff",
        "description",
        "escalation_level",
        "escalation_risk",
        "escalations",
        "events",
        "followups",
        "household",
        "household_id",
        "is_repeat",
        "kind",
        "last_urged_at",
        "live",
        "location_note",
        "next_check_at",
        "paused_at",
        "place_id",
        "planted",
        "post_id",
        "prevention_marks",
        "priority",
        "recoveries",
        "reopen_count",
        "reporter_id",
        "reporter_name",
        "reporter_phone",
        "resolve_breached",
        "resolve_due_at",
        "resolve_minutes_left",
        "resolved_at",
        "responded_at",
        "response_breached",
        "response_due_at",
        "sla_policy",
        "spec",
        "state",
        "swept",
        "title",
        "unit_id",
        "urge_count",
    )

    def __init__(self, category: Category, created_at: dt.datetime) -> None:
        self.category = category
        self.kind = category.kind
        self.priority = category.default_priority
        self.post_id = category.post_id
        self.created_at = created_at
        self.channel = "phone"
        self.title = ""
        self.description = ""
        self.unit_id = None
        self.household = -1  # index in the project's households, -1 for none
        self.household_id = None
        self.reporter_id = None
        self.reporter_name = ""
        self.reporter_phone = ""
        self.place_id = None
        self.location_note = ""
        self.creator = ""
        self.planted = ""
        self.live = False
        self.is_repeat = False
        self.escalation_risk = False
        self.state = NEW
        self.assignee_id = None
        self.assignee_name = ""
        self.responded_at = None
        self.resolved_at = None
        self.closed_at = None
        self.paused_at = None
        self.resolve_minutes_left = None
        self.response_breached = False
        self.resolve_breached = False
        self.escalation_level = 0
        self.urge_count = 0
        self.last_urged_at = None
        self.reopen_count = 0
        self.clear_steps = EMPTY_LIST
        self.prevention_marks = EMPTY_LIST
        self.next_check_at = None
        self.events: list[tuple] = []
        self.followups: list[list] = []
        self.escalations: dict[str, tuple[int, dt.datetime]] = {}
        self.recoveries: list[tuple] = []
        self.cutoff = None
        self._checks = None

    # The attributes services._check_times / _next_check / _warn_at read.
    @property
    def is_open(self) -> bool:
        return self.state in OPEN

    def promise(self, policy: SLAPolicy, spec) -> None:
        """As services.workorder_create: the policy and both due times."""
        self.sla_policy = policy
        self.spec = spec if policy.clock == BUSINESS else None
        self.response_due_at = add_minutes(self.created_at, policy.response_minutes, self.spec)
        self.resolve_due_at = add_minutes(self.created_at, policy.resolve_minutes, self.spec)

    # -- the sweep ------------------------------------------------------------------

    def _check_times(self) -> list[dt.datetime]:
        if self._checks is None:
            self._checks = sorted(services._check_times(self))
        return self._checks

    def _sweep_until(self, t: dt.datetime) -> None:
        """Run the sweep at every check time in (last sweep, t], as services.sla_sweep
        would with next_check_at = services._next_check after each run."""
        if self.state in OPEN and self.paused_at is None:
            swept = self.swept
            for check in self._check_times():
                if check > t:
                    break
                if check > swept:
                    self._sweep_at(check)
        self.swept = t

    def _fire(self, step: str, level: int, now: dt.datetime) -> bool:
        if step in self.escalations:
            return False
        self.escalations[step] = (level, now)
        return True

    def _sweep_at(self, now: dt.datetime) -> None:
        """services._sweep_order, without the notifications."""
        if self.responded_at is None and self.response_due_at:
            if now >= self.response_due_at:
                self.response_breached = True
                if self._fire("response_breach", 1, now):
                    self._event(E.BREACH, "", now, note=MSG.response_broken, data="response")
            elif now >= services._warn_at(self, self.response_due_at) and self._fire(
                "response_warning", 0, now
            ):
                self._event(E.WARNING, "", now, note=MSG.response_soon, data="response")
        if not self.resolve_due_at:
            return
        due = self.resolve_due_at
        if now < due:
            if now >= services._warn_at(self, due) and self._fire("resolve_warning", 0, now):
                self._event(E.WARNING, "", now, note=MSG.resolve_soon, data="resolve")
            return
        self.resolve_breached = True
        if self._fire("resolve_breach", 1, now):
            self._event(E.BREACH, "", now, note=MSG.resolve_broken, data="resolve")
        interval = services._escalation_interval(self)
        for level in range(2, len(services.ESCALATION_CHAIN)):
            if now < due + interval * (level - 1):
                break
            if self._fire(f"resolve_escalation_{level}", level, now):
                self.escalation_level = max(self.escalation_level, level)
                self._event(
                    E.ESCALATION, "", now, note=MSG.escalated[level], data=_json({"level": level})
                )

    # -- steps ------------------------------------------------------------------------

    def _event(
        self,
        type_: str,
        actor: str,
        at: dt.datetime,
        *,
        from_state: str = "",
        to_state: str = "",
        note: str = "",
        visible: bool = False,
        data: str = EMPTY,
    ) -> None:
        if data in ("response", "resolve"):
            data = _PROMISE_DATA[data]
        self.events.append((type_, actor, from_state, to_state, note, visible, data, at))

    def _advance(self, t: dt.datetime) -> None:
        if self.cutoff is not None and t > self.cutoff:
            self._sweep_until(self.cutoff)
            raise _Cut
        self._sweep_until(t)

    def create(self) -> None:
        """services.workorder_create: the CREATED event; next_check_at = now."""
        self.swept = self.created_at
        self.events.append(
            (
                E.CREATED,
                self.creator,
                "",
                NEW,
                self.description,
                True,
                _cached_json(repeat=self.is_repeat, policy=self.sla_policy.name),
                self.created_at,
            )
        )
        self._sweep_at(self.created_at)

    def move(
        self,
        t: dt.datetime,
        to: str,
        actor: str,
        *,
        note: str = "",
        assignee: tuple | None = None,
    ) -> None:
        """services.workorder_transition (``assignee`` = (id, name, post id) for a dispatch
        or for accepting an unassigned order)."""
        self._advance(t)
        current = self.state
        if not states.is_allowed(current, to):
            raise AssertionError(f"demo order: illegal move {current} → {to}")
        if assignee is not None and (to == DISPATCHED or self.assignee_id is None):
            self.assignee_id, self.assignee_name, post_id = assignee
            self.post_id = post_id or self.post_id
        if current == WAITING and self.paused_at is not None:  # _resume_clock
            self.resolve_due_at = add_minutes(t, self.resolve_minutes_left or 0, self.spec)
            self.paused_at = None
            self.resolve_minutes_left = None
            self._checks = None
        if to == WAITING:  # _pause_clock
            self.paused_at = t
            due = self.resolve_due_at
            self.resolve_minutes_left = (
                business_minutes_between(t, due, self.spec) if due and due > t else 0
            )
        if to == ACCEPTED and self.responded_at is None:
            self.responded_at = t
            self._checks = None
        if to == RESOLVED:
            self.resolved_at = t
            if self.responded_at is None:
                self.responded_at = t
                self._checks = None
        if to == CLOSED:
            self.closed_at = t
        if states.is_reopen(current, to):
            self._reopen(t)
        self.state = to
        self._event(
            E.TRANSITION,
            actor,
            t,
            from_state=current,
            to_state=to,
            note=note,
            visible=True,
            data=_assignee_json(self.assignee_name),
        )
        if to in OPEN and self.paused_at is None:
            self._sweep_at(t)  # next_check_at = now
        if to == RESOLVED and not any(f[1] is None for f in self.followups):
            due = t + dt.timedelta(hours=settings.GANZHI_FOLLOWUP_HOURS)
            self.followups.append([due, None, "", None, "", None])

    def _reopen(self, t: dt.datetime) -> None:
        self.reopen_count += 1
        self.resolved_at = None
        self.closed_at = None
        self.resolve_due_at = add_minutes(t, self.sla_policy.resolve_minutes, self.spec)
        self.escalation_risk = True
        self._checks = None
        for step in [s for s in self.escalations if s.startswith("resolve")]:
            del self.escalations[step]

    def follow_up(
        self, t: dt.datetime, actor: str, outcome: str, rating: int | None, comment: str
    ) -> None:
        """services.followup_record: satisfied closes, unsatisfied (1–2) reopens."""
        self._advance(t)
        followup = next(f for f in self.followups if f[1] is None)
        rating = rating if outcome == REACHED else None
        satisfied = None if rating is None else rating >= 3
        followup[1:] = [t, outcome, rating, comment, satisfied]
        self._event(
            E.FOLLOW_UP, actor, t, note=comment, data=_cached_json(outcome=outcome, rating=rating)
        )
        if satisfied is True and self.state == RESOLVED:
            self.state, self.closed_at = CLOSED, t
            self._event(
                E.TRANSITION,
                actor,
                t,
                from_state=RESOLVED,
                to_state=CLOSED,
                note=MSG.closed_satisfied,
                visible=True,
            )
        elif satisfied is False and self.state in (RESOLVED, CLOSED):
            previous = self.state
            self._reopen(t)
            self.state = IN_PROGRESS
            self._event(
                E.TRANSITION,
                actor,
                t,
                from_state=previous,
                to_state=IN_PROGRESS,
                note=MSG.reopened,
                visible=True,
            )
            self._sweep_at(t)

    def comment(self, t: dt.datetime, actor: str, note: str, visible: bool = True) -> None:
        self._advance(t)
        self._event(E.COMMENT, actor, t, note=note, visible=visible)

    def urge(self, t: dt.datetime) -> None:
        """services.workorder_urge (ignored when finished or within 30 minutes)."""
        self._advance(t)
        if self.state not in OPEN:
            return
        if self.last_urged_at and t - self.last_urged_at < dt.timedelta(minutes=30):
            return
        self.urge_count += 1
        self.last_urged_at = t
        if self.urge_count >= 2:
            self.escalation_risk = True
            self.priority = services._raise_priority(self.priority)
        self._event(E.URGE, MSG.owner, t, visible=True, data=_json({"count": self.urge_count}))

    def recover(self, t: dt.datetime, actor: str, rng: Random, recovered: bool | None) -> None:
        """services.service_recovery_record."""
        self._advance(t)
        measures = [m for m in ServiceRecovery.Emotional.values if rng.random() < 0.6] or [
            ServiceRecovery.Emotional.COMMUNICATION.value
        ]
        choices = texts.GARAGE_GOODWILL if self.planted == "garage" else texts.GOODWILL
        goodwill, amount = choices[int(rng.random() * len(choices))]
        self.recoveries.append(
            (
                _json(measures),
                texts.RECOVERY_ROOT_CAUSES[int(rng.random() * len(texts.RECOVERY_ROOT_CAUSES))],
                texts.RECOVERY_LESSONS[int(rng.random() * len(texts.RECOVERY_LESSONS))],
                texts.RECOVERY_PREVENTION[int(rng.random() * len(texts.RECOVERY_PREVENTION))],
                goodwill,
                amount,
                recovered,
                t,
            )
        )
        self._event(
            E.RECOVERY, actor, t, data=_json({"measures": measures, "recovered": recovered})
        )

    def finish(self) -> None:
        """At the end of the script: sweep up to the cut-off; the next check for the real sweep."""
        if self.state in OPEN:
            end = self.cutoff if self.cutoff is not None else self.swept
            self._sweep_until(end)
            self.next_check_at = services._next_check(self, end)
        else:
            self.next_check_at = None


_PROMISE_DATA = {
    "response": _json({"promise": "response"}),
    "resolve": _json({"promise": "resolve"}),
}


def _run(order: _Order, script: Callable[[], None]) -> None:
    with suppress(_Cut):
        script()
    order.finish()


# --- The company-wide context ----------------------------------------------------------


class _Context:
    def __init__(
        self,
        company: Company,
        projects: list[ProjectSpec],
        reference: dt.date,
        years: int,
        now: dt.datetime,
        scale: float = 1.0,
    ) -> None:
        global MSG
        MSG = _Messages()
        self.company = company
        self.scale = scale  # × the volume (benchmark tiers); 1 is the documented volume
        self.reference = reference
        self.now = now
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.planted = planted_dates(reference)
        try:  # the day after the same date ``years`` years earlier: 730 days for two years
            self.first_day = reference.replace(year=reference.year - years) + DAY
        except ValueError:  # 29 February
            self.first_day = reference.replace(year=reference.year - years, day=28) + DAY
        self.days = [
            self.first_day + dt.timedelta(days=i)
            for i in range((reference - self.first_day).days + 1)
        ]
        self.day_start = [
            dt.datetime.combine(day, dt.time(0), tzinfo=self.zone).astimezone(UTC)
            for day in self.days
        ]
        self.cutoff = self.day_start[-1] + DAY - dt.timedelta(seconds=1)  # reference day 23:59:59
        self.categories = {c.code: c for c in Category.objects.filter(company=company)}
        missing = set(CATEGORY_MIX) - set(self.categories)
        if missing:
            raise RuntimeError(f"demo work orders need the default categories {sorted(missing)}")
        self._policies: dict[tuple, SLAPolicy] = {}
        self._specs: dict[int, object] = {}
        self._day_weights()
        self.garage_code, self.worse_code = self._planted_projects(projects)
        vendor = connection.vendor
        self.ts = _ts_sqlite if vendor == "sqlite" else _ts_native
        self.public_ids = TimeOrderedIds()
        self.orders = FastTable(WorkOrder, ORDER_COLUMNS)
        self.events = FastTable(WorkOrderEvent, EVENT_COLUMNS)
        self.followups = FastTable(FollowUp, FOLLOWUP_COLUMNS)
        self.escalations = FastTable(Escalation, ESCALATION_COLUMNS)
        self.recoveries = FastTable(ServiceRecovery, RECOVERY_COLUMNS)

    def _day_weights(self) -> None:
        """Per category, cumulative weights of the days (season × holidays × the planted
        cleaning rise)."""
        factors = []
        try:
            import chinese_calendar
        except ImportError:  # pragma: no cover - a declared dependency
            chinese_calendar = None
        festival = set()
        for day in self.days:
            name = None
            if chinese_calendar is not None:
                try:
                    name = chinese_calendar.get_holiday_detail(day)[1]
                except (NotImplementedError, ValueError):
                    name = None
            if name == "Spring Festival":
                festival.add(day)
            factors.append(NATIONAL_DAY if name == "National Day" else 1.0)
        for i, day in enumerate(self.days):
            if day in festival:
                factors[i] = SPRING_FESTIVAL
            elif any(day + dt.timedelta(days=k) in festival for k in (-3, -2, -1, 1, 2, 3)):
                factors[i] = SPRING_FESTIVAL_NEAR
        cleaning_from = self.planted["cleaning_from"]
        self.cum: dict[str, list[float]] = {}
        for code, (_weight, _public, season) in CATEGORY_MIX.items():
            months = SEASONS[season]
            weights = [months[day.month - 1] * f for day, f in zip(self.days, factors, strict=True)]
            if code == "complaint-cleaning":
                weights = [
                    w * (CLEANING_RISE if day >= cleaning_from else 1.0)
                    for w, day in zip(weights, self.days, strict=True)
                ]
            self.cum[code] = list(accumulate(weights))

    def _planted_projects(self, projects: list[ProjectSpec]) -> tuple[str, str]:
        """The garage-leak project: the first (by code) with lived-in parking spaces, else
        the first; the staff-change project: the first other one."""
        with_parking = set(
            Unit.objects.filter(
                company=self.company,
                type=Unit.Type.PARKING,
                status__in=[Unit.Status.OCCUPIED, Unit.Status.RENTED],
            )
            .values_list("project__code", flat=True)
            .distinct()
        )
        codes = [p.code for p in projects]
        garage = next((c for c in codes if c in with_parking), codes[0])
        worse = next(c for c in codes if c != garage)
        return garage, worse

    def policy(self, kind: str, category: Category, priority: str) -> SLAPolicy:
        key = (kind, category.id, priority)
        policy = self._policies.get(key)
        if policy is None:
            policy = services.sla_policy_for(
                company_id=self.company.id, kind=kind, category=category, priority=priority
            )
            self._policies[key] = policy
        return policy

    def spec(self, project: Project):
        calendar = calendar_for_project(project)
        if calendar is None:
            return None
        if calendar.pk not in self._specs:
            self._specs[calendar.pk] = spec_of(calendar)
        return self._specs[calendar.pk]

    def local(self, t: dt.datetime) -> dt.datetime:
        return t.astimezone(self.zone)

    def call_time(self, t: dt.datetime, rng: Random) -> dt.datetime:
        """The first moment from ``t`` on when customer service phones owners (09:00–20:00)."""
        local = t.astimezone(self.zone)
        if 9 <= local.hour < 20:
            return t
        day = local.date() if local.hour < 9 else local.date() + DAY
        start = dt.datetime.combine(day, dt.time(9), tzinfo=self.zone).astimezone(UTC)
        return start + dt.timedelta(seconds=int(rng.random() * 150 * 60))


def _ts_sqlite(value: dt.datetime | None):
    # What Django stores for an aware datetime on SQLite: str() of the naive UTC time.
    # Every datetime here is in UTC (offset "+00:00", cut off).
    return None if value is None else value.isoformat(" ")[:-6]


def _ts_native(value: dt.datetime | None):
    return value


ORDER_COLUMNS = (
    "id",
    "public_id",
    "number",
    "company_id",
    "project_id",
    "unit_id",
    "place_id",
    "location_note",
    "household_id",
    "reporter_id",
    "reporter_name",
    "reporter_phone",
    "kind",
    "category_id",
    "priority",
    "channel",
    "title",
    "description",
    "state",
    "post_id",
    "assignee_id",
    "created_at",
    "responded_at",
    "resolved_at",
    "closed_at",
    "sla_policy_id",
    "response_due_at",
    "resolve_due_at",
    "paused_at",
    "resolve_minutes_left",
    "response_breached",
    "resolve_breached",
    "escalation_level",
    "next_check_at",
    "urge_count",
    "last_urged_at",
    "reopen_count",
    "is_repeat",
    "escalation_risk",
    "owner_comment",
    "clear_steps",
    "prevention_marks",
    "created_by_id",
    "owner_rating",
)
EVENT_COLUMNS = (
    "order_id",
    "actor_id",
    "type",
    "actor_label",
    "from_state",
    "to_state",
    "note",
    "visible_to_owner",
    "data",
    "created_at",
)
FOLLOWUP_COLUMNS = (
    "public_id",
    "order_id",
    "due_at",
    "done_at",
    "outcome",
    "rating",
    "comment",
    "satisfied",
    "done_by_id",
)
ESCALATION_COLUMNS = ("order_id", "step", "level", "notified", "fired_at")
RECOVERY_COLUMNS = (
    "order_id",
    "emotional_measures",
    "root_cause",
    "lesson",
    "prevention",
    "goodwill",
    "goodwill_amount",
    "recovered",
    "created_at",
    "created_by_id",
)


# --- One project ---------------------------------------------------------------------


@dataclass
class _Home:
    household_id: int
    unit_id: int
    unit_type: str
    unit_status: str
    building: str
    entrance: str
    number: str
    owner_id: int
    owner_name: str
    owner_phone: str
    preferred: str
    relation: str
    move_in: int  # ordinal


class _ProjectRun:
    def __init__(self, ctx: _Context, spec: ProjectSpec, index: int) -> None:
        self.ctx = ctx
        self.spec = spec
        self.index = index
        self.project = Project.objects.get(company=ctx.company, code=spec.code)
        self.calendar = ctx.spec(self.project)
        self._load()

    # -- loading --

    def _load(self) -> None:
        project = self.project
        rows = HouseholdMember.objects.filter(
            household__project=project, household__is_current=True, is_primary_contact=True
        ).values_list(
            "household_id",
            "household__unit_id",
            "household__unit__type",
            "household__unit__status",
            "household__unit__building__name",
            "household__unit__entrance",
            "household__unit__number",
            "owner_id",
            "owner__name",
            "owner__phone",
            "owner__preferred_channel",
            "relation",
            "household__move_in_date",
        )
        homes = []
        for row in rows:
            move_in = row[12]
            homes.append(_Home(*row[:12], move_in=move_in.toordinal() if move_in else 0))
        # Id-free order (the same on every backend): building, entrance, number.
        homes.sort(key=lambda h: (h.building, h.entrance, h.number))
        self.homes = homes
        self.living = [i for i, h in enumerate(homes) if h.unit_type != Unit.Type.PARKING]
        self.parking = [i for i, h in enumerate(homes) if h.unit_type == Unit.Type.PARKING]
        buildings = sorted(
            Building.objects.filter(project=project).values_list("id", "name", "floors"),
            key=lambda b: (b[1][:-1].isdigit() is False, len(b[1]), b[1]),
        )
        self.residential = [b for b in buildings if b[1].endswith("栋")]
        self.garage_building = next((b for b in buildings if b[1] == "地下车库"), None)
        entrances: dict[str, set[str]] = {}
        for h in homes:
            if h.entrance:
                entrances.setdefault(h.building, set()).add(h.entrance)
        self.entrances = {b: sorted(e) for b, e in entrances.items()}
        staff = sorted(
            Staff.objects.filter(projects=project).values_list(
                "employee_no", "id", "name", "post__code", "post_id"
            )
        )
        self.staff: dict[str | None, list[tuple]] = {}
        for _no, sid, name, post, post_id in staff:
            self.staff.setdefault(post, []).append((sid, name, post_id))
        self.manager = (self.staff.get(None) or [(None, "", None)])[0]
        self.post_code = {
            post_id: post for post, members in self.staff.items() for *_x, post_id in members
        }

    def pick(self, rng: Random, post: str | None) -> tuple:
        members = self.staff.get(post) or self.staff.get("cs") or [self.manager]
        return members[int(rng.random() * len(members))]

    def post_of(self, category: Category) -> str | None:
        return self.post_code.get(category.post_id, "cs")

    # -- places --

    def make_places(self) -> int:
        ctx = self.ctx
        places = []
        for building_id, name, floors in self.residential[:12]:
            if floors and floors >= 8:
                places.append(QRPlace(kind="lift", name=f"{name}电梯", building_id=building_id))
        if self.garage_building is not None:
            places.append(
                QRPlace(kind="garage", name="地下车库入口", building_id=self.garage_building[0])
            )
        places += [QRPlace(kind=kind, name=name) for kind, name in texts.QR_PLACES]
        for place in places:
            place.company_id = ctx.company.id
            place.project_id = self.project.id
        made = QRPlace.objects.bulk_create(places)
        self.places: dict[str, list[tuple[int, str]]] = {}
        for place in made:
            self.places.setdefault(place.kind, []).append((place.id, place.name))
        return len(made)

    # -- drawing orders --

    def _home_at(self, rng: Random, day: int, pool: list[int], frequent: list[int]) -> int:
        """A household (index) living there on ``day``; -1 if none found."""
        homes = self.homes
        for _ in range(6):
            if frequent and rng.random() < FREQUENT_PICK:
                i = frequent[int(rng.random() * len(frequent))]
            else:
                i = pool[int(rng.random() * len(pool))]
            if homes[i].move_in <= day:
                return i
        return -1

    def _public_place(self, rng: Random, code: str) -> str:
        templates = texts.PLACES.get(code) or texts.PUBLIC_DEFAULT
        template = templates[int(rng.random() * len(templates))]
        if "{b}" in template:
            if not self.residential:
                return texts.PUBLIC_DEFAULT[0]
            building = self.residential[int(rng.random() * len(self.residential))][1]
            entrances = self.entrances.get(building) or ["1"]
            entrance = entrances[int(rng.random() * len(entrances))]
            return template.format(b=building, e=entrance)
        return template

    def draw(
        self,
        rng: Random,
        code: str,
        created: dt.datetime,
        frequent: list[int],
        *,
        public: bool | None = None,
    ) -> _Order | None:
        """One order of category ``code`` created at ``created``: where, who, how."""
        ctx = self.ctx
        category = ctx.categories[code]
        order = _Order(category, created)
        kind = order.kind
        _weight, public_share, _season = CATEGORY_MIX[code]
        if public is None:
            public = rng.random() < public_share
        day = ctx.local(created).toordinal()
        titles = texts.TITLES[code]
        order.title = titles[int(rng.random() * len(titles))]
        if rng.random() < 0.5 and kind in (REPAIR, COMPLAINT):
            template = texts.DESCRIPTIONS[int(rng.random() * len(texts.DESCRIPTIONS))]
            order.description = template.format(t=order.title)
        if not public and self.living:
            i = self._home_at(rng, day, self.living, frequent)
            if i < 0:
                if public_share == 0:
                    return None
                public = True
            else:
                home = self.homes[i]
                order.household = i
                order.unit_id = home.unit_id
                order.household_id = home.household_id
                self._reporter(order, home)
                rooms = texts.ROOMS.get(code)
                if rooms and rng.random() < 0.7:
                    order.location_note = rooms[int(rng.random() * len(rooms))]
                preferred = PREFERRED.get(home.preferred)
                if preferred is not None and rng.random() < PREFERRED_SHARE:
                    order.channel = preferred(rng)
                else:
                    order.channel = UNIT_CHANNELS[kind](rng)
        elif not public:
            public = True
        if public:
            order.channel = PUBLIC_CHANNELS[kind](rng)
            order.location_note = self._public_place(rng, code)
            if order.channel == "qr":
                kinds = texts.QR_KINDS.get(code, ())
                choices = [p for k in kinds for p in self.places.get(k, ())]
                if choices:
                    order.place_id, order.location_note = choices[int(rng.random() * len(choices))]
                else:
                    order.channel = "phone"
            if order.channel == "patrol":
                post = self.post_of(category)
                staff = self.pick(
                    rng, post if post in ("engineering", "cleaning", "greening") else "security"
                )
                order.reporter_name = staff[1]
            elif order.channel != "qr" and self.living:
                i = self._home_at(rng, day, self.living, ())
                if i >= 0:
                    self._reporter(order, self.homes[i])
        order.creator = self._creator(rng, order)
        if kind == COMPLAINT:
            if rng.random() < CLEAR_ALL:
                order.clear_steps = _ALL_CLEAR
            else:
                order.clear_steps = _json(list(services.CLEAR_STEPS[: 2 + int(rng.random() * 3)]))
            order.prevention_marks = _json(
                [m for m in services.PREVENTION_MARKS if rng.random() < 0.5]
            )
        return order

    @staticmethod
    def _reporter(order: _Order, home: _Home) -> None:
        order.reporter_id = home.owner_id
        order.reporter_name = home.owner_name[:50]
        order.reporter_phone = home.owner_phone[:20]

    def _creator(self, rng: Random, order: _Order) -> str:
        """Who typed the order in (the CREATED event's actor)."""
        channel = order.channel
        if channel in ("portal", "qr"):
            return ""  # the owner, through the portal: no staff actor
        if channel == "patrol":
            return order.reporter_name
        if channel == "wechat":
            return self.pick(rng, "housekeeper")[1]
        return self.pick(rng, "cs")[1]

    def history(self, rng: Random) -> list[_Order]:
        """The deterministic orders of the history window (without lives yet)."""
        ctx = self.ctx
        spec = self.spec
        days = ctx.days
        first_active = max(ctx.first_day, spec.delivered_on + dt.timedelta(days=30))
        lo = (first_active - ctx.first_day).days if first_active > ctx.first_day else 0
        if lo >= len(days) or not self.living:
            return []
        age = min(RATE_MAX_AGE, (ctx.reference - spec.delivered_on).days / 365.25)
        rate = rng.uniform(*RATE_BASE) + RATE_PER_YEAR_OF_AGE * age
        active_years = (len(days) - lo) / 365.0
        n = round(rate * len(self.living) * active_years * ctx.scale)
        has_garage = self.garage_building is not None
        codes, weights = [], []
        for code, (weight, _public, _season) in CATEGORY_MIX.items():
            if code == "repair-garage" and not has_garage:
                continue
            cum = ctx.cum[code]
            codes.append(code)
            weights.append(weight * (cum[-1] - (cum[lo - 1] if lo else 0.0)))
        choose = Weighted(list(zip(codes, weights, strict=True)))
        frequent = rng.sample(self.living, max(1, int(len(self.living) * FREQUENT_SHARE)))
        orders: list[_Order] = []
        day_start = ctx.day_start
        for _ in range(n):
            code = choose(rng)
            cum = ctx.cum[code]
            base = cum[lo - 1] if lo else 0.0
            d = min(bisect(cum, base + rng.random() * (cum[-1] - base)), len(days) - 1)
            seconds = HOURS(rng) * 3600 + int(rng.random() * 3600)
            order = self.draw(rng, code, day_start[d] + dt.timedelta(seconds=seconds), frequent)
            if order is not None:
                orders.append(order)
        # A project delivered in the window: its decoration boom.
        boom_end = spec.delivered_on + dt.timedelta(days=365)
        if boom_end > first_active:
            start = (first_active - ctx.first_day).days
            end = min(len(days) - 1, (boom_end - ctx.first_day).days)
            boom = DECORATION_BOOM * ctx.scale * len(self.living) * (end - start) / 335
            for _ in range(round(boom)):
                d = start + int(rng.random() * (end - start + 1))
                seconds = HOURS(rng) * 3600 + int(rng.random() * 3600)
                code = DECORATION_CATEGORIES(rng)
                order = self.draw(rng, code, day_start[d] + dt.timedelta(seconds=seconds), frequent)
                if order is not None:
                    orders.append(order)
        # Repeat complaints: the same household, the same category, days later.
        spawned = []
        for order in orders:
            parent, p = order, REPEAT_SPAWN
            while parent.kind == COMPLAINT and parent.household >= 0 and rng.random() < p:
                created = parent.created_at + dt.timedelta(seconds=int(rng.uniform(2, 26) * 86400))
                if created > ctx.cutoff:
                    break
                child = self._repeat_of(rng, parent, created)
                spawned.append(child)
                parent, p = child, REPEAT_AGAIN
        orders += spawned
        if spec.code == ctx.garage_code:
            orders += self.garage(rng)
        return orders

    def _repeat_of(self, rng: Random, parent: _Order, created: dt.datetime) -> _Order:
        order = _Order(parent.category, created)
        for name in (
            "unit_id",
            "household",
            "household_id",
            "reporter_id",
            "reporter_name",
            "reporter_phone",
            "location_note",
            "clear_steps",
            "prevention_marks",
        ):
            setattr(order, name, getattr(parent, name))
        order.title = (texts.REPEAT_PREFIX + parent.title.removeprefix(texts.REPEAT_PREFIX))[:100]
        order.channel = "phone" if rng.random() < 0.6 else parent.channel
        order.creator = self._creator(rng, order)
        return order

    def garage(self, rng: Random) -> list[_Order]:
        """Planted (1): leak reports from the underground garage, for months."""
        ctx = self.ctx
        start = ctx.planted["garage_from"]
        victims = []
        before = start.toordinal()
        parked = [i for i in self.parking if self.homes[i].move_in <= before]
        if parked:
            victims = rng.sample(parked, min(len(parked), rng.randint(*GARAGE_VICTIMS)))
        loud = victims[: max(1, len(victims) // 3)]
        reported: set[int] = set()
        orders = []
        t = dt.datetime.combine(start, dt.time(9), tzinfo=ctx.zone).astimezone(UTC)
        while True:
            t += dt.timedelta(seconds=int(rng.uniform(*GARAGE_GAP_DAYS) * 86400))
            t = t.replace(microsecond=0)
            local = ctx.local(t)
            if not 7 <= local.hour < 22:
                t += dt.timedelta(hours=10)
            if t > ctx.cutoff:
                break
            i = -1
            if victims:
                pool = loud if rng.random() < 0.5 else victims
                i = pool[int(rng.random() * len(pool))]
            code = "complaint-leak" if i in reported or (i < 0 and orders) else "repair-leak"
            order = _Order(ctx.categories[code], t)
            order.planted = "garage"
            titles = texts.GARAGE_TITLES[code]
            order.title = titles[int(rng.random() * len(titles))]
            order.channel = GARAGE_CHANNELS(rng)
            if i >= 0:
                reported.add(i)
                home = self.homes[i]
                order.household = i
                order.unit_id = home.unit_id
                order.household_id = home.household_id
                self._reporter(order, home)
                level = home.number.split("-")[0] if "-" in home.number else "B1"
                order.location_note = f"{texts.GARAGE_NOTE}{level}层，{home.number}车位上方顶板"
            else:
                j = self._home_at(rng, local.toordinal(), self.living, ())
                if j >= 0:
                    self._reporter(order, self.homes[j])
                order.location_note = f"{texts.GARAGE_NOTE}B1层顶板"
            order.description = order.title + "。"
            order.creator = self._creator(rng, order)
            if order.kind == COMPLAINT:
                order.clear_steps = _ALL_CLEAR
            orders.append(order)
        return orders

    # -- lives --

    def settle(self, orders: list[_Order], *, index: dict | None = None) -> dict:
        """Repeat complaints and priorities, in creation order (services._is_repeat,
        _raise_priority), then the promise; returns the (household, category) → last
        complaint index for later orders."""
        ctx = self.ctx
        window = dt.timedelta(days=settings.GANZHI_REPEAT_COMPLAINT_DAYS)
        last = dict(index or {})
        orders.sort(key=lambda o: o.created_at)
        for order in orders:
            if order.kind == COMPLAINT and order.household >= 0:
                key = (order.household, order.category.code)
                previous = last.get(key)
                if previous is not None and previous >= order.created_at - window:
                    order.is_repeat = True
                    order.priority = services._raise_priority(order.priority)
                last[key] = order.created_at
            order.escalation_risk = order.is_repeat or (
                order.kind == COMPLAINT and order.priority == EMERGENCY
            )
            order.promise(ctx.policy(order.kind, order.category, order.priority), self.calendar)
        return last

    def live_orders(self, rng: Random, index: dict) -> list[_Order]:
        """Orders created in the last LIVE_HOURS before ``now``, plus the planted scenes."""
        ctx = self.ctx
        now = ctx.now
        daily = 1.6 * len(self.living) / 365 * ctx.scale
        frequent: list[int] = []
        month = ctx.local(now).month
        choose = Weighted(
            [
                (code, weight * SEASONS[season][month - 1])
                for code, (weight, _p, season) in CATEGORY_MIX.items()
                if code != "repair-garage" or self.garage_building is not None
            ]
        )
        orders = []
        if self.living:
            for _ in range(round(daily * LIVE_HOURS / 24)):
                created = now - dt.timedelta(seconds=int(rng.random() * LIVE_HOURS * 3600))
                order = self.draw(rng, choose(rng), created, frequent)
                if order is not None:
                    order.planted = "live"
                    orders.append(order)
            orders += self._scenes(rng)
        for order in orders:
            order.live = True
        self.settle(orders, index=index)
        return orders

    def _scenes(self, rng: Random) -> list[_Order]:
        """Planted live scenes: every project shows countdowns and broken promises."""
        now = self.ctx.now

        def minutes(a: float, b: float) -> dt.timedelta:
            return dt.timedelta(seconds=int(rng.uniform(a, b) * 60))

        scenes = [
            ("new", "repair-door", False, now - minutes(3, 25)),
            ("new", "repair-lift", True, now - minutes(4, 10)),
            ("new", "complaint-noise", False, now - minutes(5, 20)),
            ("response_breached", "repair-fire", True, now - minutes(40, 90)),
            ("resolve_breached", "repair-lift", True, now - minutes(5 * 60, 9 * 60)),
            ("accepted", "repair-power", False, now - minutes(20, 60)),
            ("in_progress", "clean-public", True, now - minutes(30, 120)),
            ("waiting", "repair-door", False, now - minutes(20 * 60, 40 * 60)),
            ("late_urged", "complaint-parking", False, None),
        ]
        if self.index == 0:
            scenes.append(("owner1", "repair-water", False, now - minutes(2 * 60, 6 * 60)))
        orders = []
        for scene, code, public, created in scenes:
            if created is None:
                created = self._breached_start(rng, code)
            created = created.replace(microsecond=0)
            order = self.draw(rng, code, created, [], public=public)
            if order is None:
                continue
            if scene == "owner1":
                home = self._owner1()
                if home is None:
                    continue
                i = self.homes.index(home)
                order.household, order.unit_id = i, home.unit_id
                order.household_id = home.household_id
                self._reporter(order, home)
                order.channel = "portal"
                order.creator = ""
            order.planted = scene
            orders.append(order)
        return orders

    def _breached_start(self, rng: Random, code: str) -> dt.datetime:
        """A creation time (a working morning, days ago) whose resolution is overdue now."""
        ctx = self.ctx
        category = ctx.categories[code]
        policy = ctx.policy(category.kind, category, category.default_priority)
        spec = self.calendar if policy.clock == SLAPolicy.Clock.BUSINESS else None
        today = ctx.local(ctx.now).date()
        for back in range(1, 30):
            local = dt.datetime.combine(
                today - dt.timedelta(days=back), dt.time(9, int(rng.random() * 60)), ctx.zone
            )
            start = local.astimezone(UTC)
            if add_minutes(start, policy.resolve_minutes, spec) < ctx.now - 5 * HOUR:
                return start
        return ctx.now - 30 * DAY

    def _owner1(self) -> _Home | None:
        """The household the owner1 demo login will get (see ganzhi.demo.logins)."""
        candidates = [
            h
            for h in self.homes
            if h.unit_type == Unit.Type.RESIDENTIAL
            and h.unit_status == Unit.Status.OCCUPIED
            and h.relation == HouseholdMember.Relation.OWNER
        ]
        return min(candidates, key=lambda h: h.unit_id, default=None)

    def live(self, order: _Order, rng: Random) -> None:
        order.cutoff = self.ctx.now
        scene = order.planted
        if scene == "live":
            self.ordinary(order, rng, self.fail_share(order))
            return
        engineer_post = self.post_of(order.category)
        fixer = self.pick(rng, engineer_post)
        if scene == "in_progress" and order.category.code == "clean-public":
            fixer = (self.staff.get("cleaning") or [fixer])[0]  # the frontline1 login's cleaner
        cs = self.pick(rng, "cs")[1]
        c = order.created_at
        now = self.ctx.now

        def minutes(a: float, b: float) -> dt.timedelta:
            return dt.timedelta(seconds=int(rng.uniform(a, b) * 60))

        def script() -> None:
            order.create()
            if scene == "new":
                return
            order.move(c + minutes(2, 5), DISPATCHED, cs, assignee=fixer)
            if scene == "response_breached":
                return
            accepted = c + minutes(8, 14)
            if scene == "late_urged":
                accepted = add_minutes(c, 10, order.spec)
            order.move(accepted, ACCEPTED, fixer[1], assignee=fixer)
            if scene in ("accepted", "late_urged"):
                if scene == "late_urged":
                    order.comment(accepted + HOUR, cs, texts.PROGRESS_NOTES[2])
                    due = order.resolve_due_at
                    order.urge(due + minutes(30, 90))
                    order.urge(due + minutes(120, 200))
                return
            order.move(accepted + minutes(5, 15), IN_PROGRESS, fixer[1])
            if scene == "waiting":
                note = texts.WAITING_NOTES[int(rng.random() * len(texts.WAITING_NOTES))]
                order.move(now - minutes(60, 300), WAITING, fixer[1], note=note)

        _run(order, script)

    def fail_share(self, order: _Order) -> float:
        """The share of orders meant to break a promise at this order's creation."""
        ctx = self.ctx
        if self.spec.code == ctx.worse_code and order.created_at >= self.worse_from:
            return 1 - WORSE_ATTAINMENT
        return self.failure

    def ordinary(self, order: _Order, rng: Random, fail: float) -> None:
        """The usual life: (dispatch) → accept → (start) → resolve → follow-up → close."""
        policy = order.sla_policy
        r, s = policy.response_minutes, policy.resolve_minutes
        spec = order.spec
        kind = order.kind
        c = order.created_at
        mode = BREACH_MODE(rng) if rng.random() < fail * FAIL_BY_KIND[kind] else None
        quick = kind in QUICK
        if mode in ("response", "both"):
            k_r = r + max(5, int(r * rng.uniform(0.1, 1.5)))
            if k_r >= s - 2:
                mode = "both"
        else:
            k_r = max(1, min(r - 1, int(r * rng.triangular(0.02, 0.97, 0.3))))
        if mode in ("resolve", "both"):
            k_s = max(s, k_r) + max(5, int(s * min(4.0, rng.expovariate(2.5))))
        elif quick:
            k_s = min(s - 1, k_r + 1 + int(rng.random() * 60))
        else:
            k_s = k_r + max(1, int((s - 1 - k_r) * rng.triangular(0.02, 1.0, 0.45)))
        accepted = add_minutes(c, k_r, spec)
        resolved = add_minutes(c, k_s, spec)
        fixer = self.pick(rng, self.post_of(order.category))
        cs = self.pick(rng, "cs")[1]
        steps: list[tuple] = []
        if not quick and accepted - c >= 2 * MINUTE and rng.random() < 0.85:
            wait = min(dt.timedelta(seconds=int(rng.uniform(60, 1200))), (accepted - c) / 2)
            steps.append((_floor(c + wait), 0, "dispatch"))
        steps.append((accepted, 1, "accept"))
        if not quick and resolved - accepted >= 10 * MINUTE and rng.random() < 0.7:
            work = min(
                dt.timedelta(seconds=int(rng.uniform(300, 5400))), (resolved - accepted) * 0.4
            )
            steps.append((_floor(accepted + work), 2, "start"))
        due = order.resolve_due_at
        if (
            resolved > due + HOUR
            and order.channel in ("portal", "wechat", "phone")
            and rng.random() < URGE_WHEN_LATE
        ):
            steps.append((_floor(due + (resolved - due) * rng.uniform(0.2, 0.8)), 3, "urge"))
        steps.append((resolved, 4, "resolve"))
        steps.sort()
        kind_notes = texts.RESOLVED_NOTES[kind]

        def script() -> None:
            order.create()
            for t, _n, step in steps:
                if step == "dispatch":
                    order.move(t, DISPATCHED, cs, assignee=fixer)
                elif step == "accept":
                    order.move(t, ACCEPTED, fixer[1], assignee=fixer)
                elif step == "start":
                    order.move(t, IN_PROGRESS, fixer[1])
                elif step == "urge":
                    order.urge(t)
                else:
                    note = kind_notes[int(rng.random() * len(kind_notes))]
                    order.move(t, RESOLVED, fixer[1], note=note)
            self.aftercare(order, rng, fixer, cs)

        _run(order, script)

    def aftercare(self, order: _Order, rng: Random, fixer: tuple, cs: str) -> None:
        """Follow-up call; close, or reopen and fix again; service recovery."""
        ctx = self.ctx
        breached = order.response_breached or order.resolve_breached
        complaint = order.kind == COMPLAINT
        garage = order.planted == "garage"
        call = ctx.call_time(
            order.resolved_at + dt.timedelta(seconds=int(rng.uniform(1, 26) * 3600)), rng
        )
        outcome = FOLLOWUP_OUTCOME(rng) if order.kind != PRAISE else REACHED
        if outcome != REACHED:
            comments = (
                texts.NOT_REACHED_COMMENTS if outcome == "not_reached" else texts.DECLINED_COMMENTS
            )
            order.follow_up(call, cs, outcome, None, comments[int(rng.random() * len(comments))])
            note = texts.CLOSED_NOT_REACHED if outcome == "not_reached" else texts.CLOSED_DECLINED
            order.move(
                call + dt.timedelta(seconds=int(rng.uniform(1800, 14400))), CLOSED, cs, note=note
            )
            return
        rating = (PRAISE_RATING if order.kind == PRAISE else RATING[complaint, breached])(rng)
        if garage:
            rating = GARAGE_RATING(rng)
        comments = texts.FOLLOWUP_COMMENTS[rating]
        order.follow_up(call, cs, REACHED, rating, comments[int(rng.random() * len(comments))])
        if rating <= 2:  # reopened by the call: fixed again, called again
            s = order.sla_policy.resolve_minutes
            if garage:
                k = s + max(5, int(s * rng.uniform(0.5, 3.0)))
            elif rng.random() < REFIX_ON_TIME:
                k = max(1, int(s * rng.uniform(0.15, 0.9)))
            else:
                k = s + max(5, int(s * rng.uniform(0.1, 1.0)))
            fixed = add_minutes(call, k, order.spec)
            notes = texts.GARAGE_RESOLVED if garage else texts.RESOLVED_NOTES[order.kind]
            order.move(fixed, RESOLVED, fixer[1], note=notes[int(rng.random() * len(notes))])
            again = ctx.call_time(fixed + dt.timedelta(seconds=int(rng.uniform(1, 26) * 3600)), rng)
            rating = 3 if garage else RATING_AFTER_REOPEN(rng)
            comments = texts.FOLLOWUP_COMMENTS[rating]
            order.follow_up(again, cs, REACHED, rating, comments[int(rng.random() * len(comments))])
            if complaint or garage:
                later = again + dt.timedelta(seconds=int(rng.uniform(600, 7200)))
                order.recover(later, self.manager[1], rng, rating >= 4)
        elif complaint and breached and rating == 3 and rng.random() < RECOVERY_AFTER_BREACH:
            later = call + dt.timedelta(seconds=int(rng.uniform(600, 7200)))
            order.recover(later, self.manager[1], rng, True)

    def garage_life(self, order: _Order, rng: Random, open_from: dt.datetime) -> None:
        """Planted (1): early reports patched late and badly; later ones never fixed."""
        ctx = self.ctx
        order.cutoff = ctx.cutoff
        fixer = self.pick(rng, "engineering")
        cs = self.pick(rng, "cs")[1]
        policy = order.sla_policy
        c = order.created_at
        spec = order.spec
        stays_open = c >= open_from

        def script() -> None:
            order.create()
            r = policy.response_minutes
            if rng.random() < 0.4:  # responded in time (a whole minute early at least) …
                k = max(2, min(r - 1, int(r * rng.uniform(0.3, 0.95))))
            else:  # … or late
                k = r + max(5, int(r * rng.uniform(0.1, 1.5)))
            accepted = add_minutes(c, k, spec)
            dispatched = _floor(c + (accepted - c) * rng.uniform(0.2, 0.6))
            order.move(dispatched, DISPATCHED, cs, assignee=fixer)
            order.move(accepted, ACCEPTED, fixer[1], assignee=fixer)
            order.move(
                accepted + dt.timedelta(minutes=int(rng.uniform(20, 120))), IN_PROGRESS, fixer[1]
            )
            t = accepted + dt.timedelta(hours=rng.uniform(3, 30))
            if stays_open:
                urges = rng.randint(1, 3)
                while True:  # notes and urges until the cut-off ends the script
                    note = texts.GARAGE_PROGRESS[int(rng.random() * len(texts.GARAGE_PROGRESS))]
                    order.comment(t, fixer[1], note)
                    if urges:
                        urges -= 1
                        order.urge(t + dt.timedelta(days=rng.uniform(1, 6)))
                    t += dt.timedelta(days=rng.uniform(8, 20))
            order.comment(t, fixer[1], texts.GARAGE_PROGRESS[0])
            k = policy.resolve_minutes + max(5, int(policy.resolve_minutes * rng.uniform(0.5, 3.0)))
            fixed = max(add_minutes(c, k, spec), t + HOUR)
            notes = texts.GARAGE_RESOLVED
            order.move(
                _floor(fixed), RESOLVED, fixer[1], note=notes[int(rng.random() * len(notes))]
            )
            self.aftercare(order, rng, fixer, cs)

        _run(order, script)

    # -- writing --

    def write(self, orders: list[_Order], summary: WorkOrderSummary) -> None:
        ctx = self.ctx
        ts = ctx.ts
        company_id, project_id = ctx.company.id, self.project.id
        orders.sort(key=lambda o: o.created_at)
        ids = ctx.orders.allocate_ids(len(orders))
        pubs = ctx.public_ids.take(len(orders))
        rows, events, followups, escalations, recoveries = [], [], [], [], []
        for oid, pub, o in zip(ids, pubs, orders, strict=True):
            rows.append(
                (
                    oid,
                    pub,
                    f"GD{o.created_at:%y%m%d}{oid:07d}",
                    company_id,
                    project_id,
                    o.unit_id,
                    o.place_id,
                    o.location_note[:100],
                    o.household_id,
                    o.reporter_id,
                    o.reporter_name,
                    o.reporter_phone,
                    o.kind,
                    o.category.id,
                    o.priority,
                    o.channel,
                    o.title[:100],
                    o.description,
                    o.state,
                    o.post_id,
                    o.assignee_id,
                    ts(o.created_at),
                    ts(o.responded_at),
                    ts(o.resolved_at),
                    ts(o.closed_at),
                    o.sla_policy.id,
                    ts(o.response_due_at),
                    ts(o.resolve_due_at),
                    ts(o.paused_at),
                    o.resolve_minutes_left,
                    o.response_breached,
                    o.resolve_breached,
                    o.escalation_level,
                    ts(o.next_check_at),
                    o.urge_count,
                    ts(o.last_urged_at),
                    o.reopen_count,
                    o.is_repeat,
                    o.escalation_risk,
                    "",
                    o.clear_steps,
                    o.prevention_marks,
                    None,
                    None,
                )
            )
            for type_, actor, from_s, to_s, note, visible, data, at in o.events:
                events.append(
                    (oid, None, type_, actor[:50], from_s, to_s, note, visible, data, ts(at))
                )
            for due, done, outcome, rating, comment, satisfied in o.followups:
                followups.append(
                    (oid, ts(due), ts(done), outcome, rating, comment, satisfied, None)
                )
            for step, (level, fired) in o.escalations.items():
                escalations.append((oid, step, level, EMPTY_LIST, ts(fired)))
            for *values, at in o.recoveries:
                recoveries.append((oid, *values, ts(at), None))
            summary.live += o.live
        ctx.orders.insert(rows)
        ctx.events.insert(events)
        fu_pubs = ctx.public_ids.take(len(followups))
        ctx.followups.insert([(pub, *row) for pub, row in zip(fu_pubs, followups, strict=True)])
        ctx.escalations.insert(escalations)
        ctx.recoveries.insert(recoveries)
        summary.orders += len(rows)
        summary.events += len(events)
        summary.followups += len(followups)
        summary.escalations += len(escalations)
        summary.recoveries += len(recoveries)

    # -- the whole project --

    def run(self, summary: WorkOrderSummary) -> None:
        ctx = self.ctx
        rng = Random(self.spec.seed ^ HISTORY_SALT)
        self.failure = 1 - rng.uniform(*ATTAINMENT)
        self.worse_from = dt.datetime.combine(
            ctx.planted["worse_from"], dt.time(0), tzinfo=ctx.zone
        ).astimezone(UTC)
        summary.places += self.make_places()
        orders = self.history(rng)
        index = self.settle(orders)
        open_from = dt.datetime.combine(
            ctx.planted["garage_open_from"], dt.time(0), tzinfo=ctx.zone
        ).astimezone(UTC)
        for order in orders:
            if order.planted == "garage":
                self.garage_life(order, rng, open_from)
            else:
                self.ordinary(order, rng, self.fail_share(order))
        live_rng = Random(self.spec.seed ^ LIVE_SALT)
        live = self.live_orders(live_rng, index)
        for order in live:
            self.live(order, live_rng)
        self.write(orders + live, summary)


_ALL_CLEAR = _json(list(services.CLEAR_STEPS))


def _floor(t: dt.datetime) -> dt.datetime:
    return t.replace(microsecond=0)


# --- Entry point ---------------------------------------------------------------------


def generate_workorders(
    *,
    company: Company,
    projects: list[ProjectSpec],
    reference: dt.date,
    years: int = WORKORDER_YEARS,
    now: dt.datetime,
    progress: Callable[[str, int, int], None] | None = None,
    scale: float = 1.0,
) -> WorkOrderSummary:
    """Write the work orders of every project (see the module doc). The company must
    have its work-order defaults (``workorder_defaults_ensure``). ``scale`` multiplies
    the number of orders drawn (history, decoration boom, live orders); their mix,
    seasons and lives stay as documented."""
    notify = progress or (lambda stage, done, total: None)
    now = now.astimezone(UTC).replace(microsecond=0)
    ctx = _Context(company, projects, reference, years, now, scale)
    summary = WorkOrderSummary()
    chunk: list[tuple[int, ProjectSpec]] = []

    def write_chunk() -> None:
        with transaction.atomic():
            for index, spec in chunk:
                _ProjectRun(ctx, spec, index).run(summary)
        for index, _spec in chunk:
            notify("workorders", index + 1, len(projects))
        chunk.clear()

    for index, spec in enumerate(projects):
        chunk.append((index, spec))
        if sum(s.households for _i, s in chunk) >= CHUNK_HOUSEHOLDS:
            write_chunk()
    if chunk:
        write_chunk()
    return summary


def calendar_years(reference: dt.date, years: int, now: dt.datetime) -> list[int]:
    """The years whose official holidays the demo calendar needs: the history's, and
    the live orders' (this year and the next)."""
    this_year = now.astimezone(ZoneInfo(settings.TIME_ZONE)).year
    return sorted(
        set(range(reference.year - years, reference.year + 1)) | {this_year, this_year + 1}
    )
