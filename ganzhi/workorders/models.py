"""Work orders (工单): categories, promises (SLA) and their calendars, the order
itself with its audited timeline, follow-up calls, service recovery and QR places.

The lifecycle is a state machine in ``ganzhi.workorders.states``; every change
goes through ``ganzhi.workorders.services`` and leaves a ``WorkOrderEvent``.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ganzhi.org.models import Company, Post, Project, Staff, Unit
from ganzhi.owners.models import Household, Owner


class Kind(models.TextChoices):
    REPAIR = "repair", _("Repair")
    COMPLAINT = "complaint", _("Complaint")
    ENQUIRY = "enquiry", _("Enquiry")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class Priority(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


PRIORITY_RANK = {Priority.EMERGENCY: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    PORTAL = "portal", _("Owner portal")
    QR = "qr", _("QR code")
    WECHAT = "wechat", _("WeChat")
    MEETING = "meeting", _("Owner meeting")
    PATROL = "patrol", _("Staff patrol")


class State(models.TextChoices):
    NEW = "new", _("New")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_OWNER = "waiting_owner", _("Waiting on owner")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (
    State.NEW,
    State.DISPATCHED,
    State.ACCEPTED,
    State.IN_PROGRESS,
    State.WAITING_OWNER,
)


class Category(models.Model):
    """A work-order category (报修 › 水电 › 漏水 …), editable per company."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    post = models.ForeignKey(
        Post,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible post"),
    )
    default_priority = models.CharField(
        _("default priority"), max_length=20, choices=Priority.choices, default=Priority.NORMAL
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    scope_company_path = "company"

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["kind", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"],
                name="category_code_unique",
                violation_error_message=_("A category with this code already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class BusinessCalendar(models.Model):
    """Working hours and days off; the company default, or one a project keeps."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    work_start = models.TimeField(_("working day starts"), default="08:30")
    work_end = models.TimeField(_("working day ends"), default="18:00")
    weekdays = models.CharField(
        _("working weekdays"),
        max_length=13,
        default="0,1,2,3,4",
        help_text=_("Monday=0 … Sunday=6, comma-separated."),
    )
    is_default = models.BooleanField(_("company default"), default=False)
    projects = models.ManyToManyField(
        Project, blank=True, related_name="calendars", verbose_name=_("projects using it")
    )

    scope_company_path = "company"

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(is_default=True),
                name="one_default_calendar",
                violation_error_message=_("The company already has a default calendar."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    """A day that differs from the weekday rule: a holiday, or a make-up working day."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    is_working = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)
    official = models.BooleanField(_("from the official schedule"), default=False)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class CalendarYear(models.Model):
    """A year whose official holiday schedule has been entered into a calendar."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["calendar", "year"], name="calendar_year_once")
        ]

    def __str__(self) -> str:
        return str(self.year)


class SLAPolicy(models.Model):
    """Response and resolution targets. The first active policy (by order) that matches
    an order's category, type and priority applies; blank fields match anything."""

    class Clock(models.TextChoices):
        ALWAYS = "24x7", _("24×7")
        BUSINESS = "business", _("Business hours")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    order = models.PositiveIntegerField(_("order"), default=100)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    priority = models.CharField(_("priority"), max_length=20, choices=Priority.choices, blank=True)
    response_minutes = models.PositiveIntegerField(_("response target (minutes)"))
    resolve_minutes = models.PositiveIntegerField(_("resolution target (minutes)"))
    clock = models.CharField(_("clock"), max_length=20, choices=Clock.choices)
    warn_percent = models.PositiveSmallIntegerField(_("warn at (percent of target)"), default=80)
    is_active = models.BooleanField(_("active"), default=True)

    scope_company_path = "company"

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_default(self) -> bool:
        return not (self.kind or self.category_id or self.priority)


class WorkOrder(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("number"), max_length=20, unique=True)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="workorders")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="workorders"
    )
    place = models.ForeignKey(
        "QRPlace", on_delete=models.SET_NULL, null=True, blank=True, related_name="workorders"
    )
    location_note = models.CharField(_("location"), max_length=100, blank=True)
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="workorders"
    )
    reporter = models.ForeignKey(
        Owner, on_delete=models.SET_NULL, null=True, blank=True, related_name="workorders"
    )
    reporter_name = models.CharField(_("reporter"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=20, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="workorders")
    priority = models.CharField(_("priority"), max_length=20, choices=Priority.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.NEW)
    post = models.ForeignKey(
        Post,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("post queue"),
    )
    assignee = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="workorders"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"))
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    sla_policy = models.ForeignKey(SLAPolicy, on_delete=models.PROTECT, related_name="+")
    response_due_at = models.DateTimeField(_("respond by"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True)
    paused_at = models.DateTimeField(_("clock paused at"), null=True, blank=True)
    resolve_minutes_left = models.PositiveIntegerField(null=True, blank=True)
    response_breached = models.BooleanField(_("response breached"), default=False)
    resolve_breached = models.BooleanField(_("resolution breached"), default=False)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    next_check_at = models.DateTimeField(null=True, blank=True, editable=False)
    urge_count = models.PositiveSmallIntegerField(_("urges"), default=0)
    last_urged_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    is_repeat = models.BooleanField(_("repeat complaint"), default=False)
    escalation_risk = models.BooleanField(_("escalation risk"), default=False)
    owner_rating = models.PositiveSmallIntegerField(_("owner rating (1–5)"), null=True, blank=True)
    owner_comment = models.CharField(_("owner comment"), max_length=500, blank=True)
    clear_steps = models.JSONField(_("CLEAR steps done"), default=list, blank=True)
    prevention_marks = models.JSONField(_("escalation prevention"), default=list, blank=True)

    scope_project_path = "project"
    scope_household_path = "household"

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        permissions = [("dispatch_workorder", "Can dispatch, transfer, close and reopen orders")]
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["project", "state", "resolve_due_at"]),
            models.Index(fields=["company", "created_at"]),
            models.Index(fields=["next_check_at"]),
            models.Index(fields=["household", "category", "created_at"]),
            models.Index(fields=["company", "state", "created_at"], name="workorder_state_by_age"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def breached(self) -> bool:
        return self.response_breached or self.resolve_breached


class WorkOrderEvent(models.Model):
    """One line of an order's audited timeline."""

    class Type(models.TextChoices):
        CREATED = "created", _("Created")
        TRANSITION = "transition", _("State changed")
        ASSIGNED = "assigned", _("Assigned")
        COMMENT = "comment", _("Progress note")
        URGE = "urge", _("Owner urged")
        WARNING = "warning", _("Promise at risk")
        BREACH = "breach", _("Promise broken")
        ESCALATION = "escalation", _("Escalated")
        FOLLOW_UP = "follow_up", _("Follow-up call")
        RATING = "rating", _("Owner rating")
        ATTACHMENT = "attachment", _("Attachment")
        RECOVERY = "recovery", _("Service recovery")

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20, choices=Type.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=50, blank=True)
    from_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    note = models.TextField(max_length=2000, blank=True)
    visible_to_owner = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("work-order event")
        verbose_name_plural = _("work-order events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.type}"


class Escalation(models.Model):
    """A warning or escalation step that has fired. Unique per (order, step), so a
    sweep that runs twice — or a worker restarted mid-sweep — never fires one twice."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="escalations")
    step = models.CharField(max_length=40)
    level = models.PositiveSmallIntegerField(default=0)
    notified = models.JSONField(default=list, blank=True)
    fired_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "step"], name="escalation_step_once")
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.step}"


class Attachment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="workorders/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_owner = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class FollowUp(models.Model):
    """The follow-up call (回访) after an order is resolved."""

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached the owner")
        NOT_REACHED = "not_reached", _("Could not reach")
        DECLINED = "declined", _("Owner declined")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="followups")
    due_at = models.DateTimeField(_("call by"))
    done_at = models.DateTimeField(_("called at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"), null=True, blank=True)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)

    scope_company_path = "order__company"
    scope_project_path = "order__project"
    scope_household_path = "order__household"

    class Meta:
        verbose_name = _("follow-up call")
        verbose_name_plural = _("follow-up calls")
        ordering = ["due_at"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.due_at:%Y-%m-%d}"


class ServiceRecovery(models.Model):
    """What was done to win an unhappy owner back (服务补救): emotional and problem level."""

    class Emotional(models.TextChoices):
        QUICK_ACTION = "quick_action", _("Acted quickly")
        COMMUNICATION = "communication", _("Kept the owner informed")
        FAIRNESS = "fairness", _("Fair treatment")
        RELATIONSHIP = "relationship", _("Rebuilt the relationship")

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="recoveries")
    emotional_measures = models.JSONField(_("emotional measures"), default=list, blank=True)
    root_cause = models.TextField(_("root cause"), max_length=1000, blank=True)
    lesson = models.TextField(_("lesson learned"), max_length=1000, blank=True)
    prevention = models.TextField(_("prevention"), max_length=1000, blank=True)
    goodwill = models.CharField(_("goodwill given"), max_length=200, blank=True)
    goodwill_amount = models.DecimalField(
        _("goodwill value (¥)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    recovered = models.BooleanField(_("owner won back"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_company_path = "order__company"
    scope_project_path = "order__project"

    class Meta:
        verbose_name = _("service recovery")
        verbose_name_plural = _("service recoveries")

    def __str__(self) -> str:
        return f"{self.order_id}"


def new_place_token() -> str:
    return secrets.token_urlsafe(16)


class QRPlace(models.Model):
    """A place with a printed QR code (lamp post, lift car, gate, bin …)."""

    class Kind(models.TextChoices):
        LAMP = "lamp", _("Lamp post")
        LIFT = "lift", _("Lift car")
        GATE = "gate", _("Gate")
        BIN = "bin", _("Bin")
        GARAGE = "garage", _("Garage")
        OTHER = "other", pgettext_lazy("place", "Other")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="qr_places")
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    building = models.ForeignKey(
        "org.Building", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token = models.CharField(max_length=40, unique=True, default=new_place_token, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("QR place")
        verbose_name_plural = _("QR places")
        ordering = ["project", "name"]

    def __str__(self) -> str:
        return self.name
