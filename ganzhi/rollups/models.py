"""Rollups: per project and month, the sums every dashboard figure is computed from.

Dashboards read only these tables (plus the small org tables), never the raw answers or
work orders. Each row holds *sufficient statistics*: counts and sums that add up over
projects and months, so a company-wide yearly figure is a SUM over a few thousand rows
and still identical to the figure computed from the raw data (see
``ganzhi.rollups.figures``). The rows of a (project, month) are always recomputed
together from the raw data, never patched, so updates and deletes need no special care:
``RollupDirty`` names the slices whose data changed, and the worker recomputes them.

Months are calendar months in the installation's time zone: a response counts in the
month it was submitted, a work order and a call-back in the month they were created.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from ganzhi.org.models import Company, Post, Project, Region
from ganzhi.surveys.models import Response
from ganzhi.workorders.models import Category

SURVEY_SUMS = (
    "responses",
    "index_n",
    "index_sw",
    "index_swy",
    "index_sw2",
    "index_sw2y",
    "index_sw2y2",
    "promoters",
    "passives",
    "detractors",
    "satisfied_n",
    "satisfied_k",
    "gap_n",
)
WORKORDER_SUMS = (
    "created",
    "open",
    "closed",
    "cancelled",
    "response_measured",
    "response_kept",
    "resolve_measured",
    "resolve_kept",
    "breached",
    "reopened",
    "repeats",
    "rated",
    "rating_sum",
)
CALLBACK_SUMS = ("created", "done", "done_on_time", "reached", "recovered", "workorders")


class Kind(models.TextChoices):
    SURVEYS = "surveys", _("Survey scores")
    WORKORDERS = "workorders", _("Work orders")
    CALLBACKS = "callbacks", _("Call-backs")


class Scope(models.TextChoices):
    """Rows are kept per project, and summed per region and per company, so that a
    company-wide figure reads a few hundred rows however many projects there are."""

    PROJECT = "project", _("Project")
    REGION = "region", _("Region")
    COMPANY = "company", _("Company")


class RollupRow(models.Model):
    """Where a row's sums belong: a project, a region or the company, in one month.
    Project rows carry their project's region too (a region's projects are read by the
    region index); a project that moves region has all its months recomputed."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.PROJECT)
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    month = models.DateField()

    class Meta:
        abstract = True


class SurveyRollup(RollupRow):
    """One project-month of submitted, not excluded responses, for one filter: the whole
    questionnaire, one post, one dimension, or one dimension of one post. A response
    belongs to a filter when it rated an item there (or, for a post, was attributed to it),
    exactly as in ``ganzhi.surveys.scoring.compute_scores``."""

    class Level(models.TextChoices):
        ALL = "all", _("Everything")
        POST = "post", _("Post")
        DIMENSION = "dimension", _("Dimension")
        POST_DIMENSION = "post_dimension", _("Post and dimension")

    level = models.CharField(max_length=20, choices=Level.choices)
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    dimension = models.CharField(max_length=20, blank=True)
    responses = models.PositiveIntegerField(default=0)
    # satisfaction index: n respondents with a value, Σw, Σwy, Σw², Σw²y, Σw²y²
    index_n = models.PositiveIntegerField(default=0)
    index_sw = models.FloatField(default=0)
    index_swy = models.FloatField(default=0)
    index_sw2 = models.FloatField(default=0)
    index_sw2y = models.FloatField(default=0)
    index_sw2y2 = models.FloatField(default=0)
    promoters = models.PositiveIntegerField(default=0)
    passives = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)
    satisfied_n = models.PositiveIntegerField(default=0)
    satisfied_k = models.PositiveIntegerField(default=0)
    gap_n = models.PositiveIntegerField(default=0)
    # key drivers: respondents with all five dimensions and the overall satisfaction;
    # {"n", "sw", "swx": [6], "swxx": [[6 × 6]]} in the order of Dimension, then overall
    drivers = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["company", "scope", "level", "month"]),
            models.Index(fields=["region", "scope", "level", "month"]),
            models.Index(fields=["project", "level", "month"]),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.month:%Y-%m} {self.level}"


class SurveyItemRollup(RollupRow):
    """SERVQUAL gap sums (P − E) of one item in one project-month, in scale points and on
    the 0–100 rescale."""

    code = models.CharField(max_length=40)
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    dimension = models.CharField(max_length=20, blank=True)
    scale_min = models.SmallIntegerField()
    scale_max = models.SmallIntegerField()
    n = models.PositiveIntegerField(default=0)
    sum_gap = models.FloatField(default=0)
    sum_gap2 = models.FloatField(default=0)
    sum_gap100 = models.FloatField(default=0)
    sum_gap100_2 = models.FloatField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["company", "scope", "month"]),
            models.Index(fields=["region", "scope", "month"]),
            models.Index(fields=["project", "month"]),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.month:%Y-%m} {self.code}"


class WorkOrderRollup(RollupRow):
    """Counts of the work orders created in one project-month, per category and post."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20)
    created = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    response_measured = models.PositiveIntegerField(default=0)
    response_kept = models.PositiveIntegerField(default=0)
    resolve_measured = models.PositiveIntegerField(default=0)
    resolve_kept = models.PositiveIntegerField(default=0)
    breached = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    repeats = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["company", "scope", "month"]),
            models.Index(fields=["region", "scope", "month"]),
            models.Index(fields=["project", "month"]),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.month:%Y-%m} {self.category_id}"


class CallbackRollup(RollupRow):
    """Call-backs to detractors and low scorers created in one project-month."""

    reason = models.CharField(max_length=20)
    created = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    done_on_time = models.PositiveIntegerField(default=0)
    reached = models.PositiveIntegerField(default=0)
    recovered = models.PositiveIntegerField(default=0)
    workorders = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["company", "scope", "month"]),
            models.Index(fields=["region", "scope", "month"]),
            models.Index(fields=["project", "month"]),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.month:%Y-%m} {self.reason}"


class ResponseScore(models.Model):
    """What one submitted response adds to the survey rollups, kept so that a refresh
    scores only the responses it has not seen (scoring is the costly part).

    Everything here follows from the answers, which are fixed once a response is
    submitted, and from its post; the weight and the exclusion are read from the
    response at every refresh (re-weighting and quality checks change them in bulk).
    ``submitted_at`` and ``post`` are the response's when it was scored: a score whose
    pair no longer matches is scored again.

    ``filters``: one ``[level, post id, dimension, value, has a gap pair, drivers]`` per
    rollup filter the response belongs to (``drivers``: the five dimension values when
    all are there, else null); ``gaps``: one ``[item node id, scale min, scale max,
    P − E]`` per valid SERVQUAL pair."""

    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, primary_key=True, related_name="rollup_score"
    )
    submitted_at = models.DateTimeField()
    post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recommend = models.FloatField(null=True, blank=True)
    satisfied = models.BooleanField(null=True, blank=True)
    overall = models.FloatField(null=True, blank=True)  # 0–100, the drivers' outcome
    filters = models.JSONField(default=list)
    gaps = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.response_id}"


class RollupDirty(models.Model):
    """A project-month whose raw data changed since its rollup rows were computed.

    ``token`` changes on every mark, so a refresh that read the data before a later
    change leaves the mark in place (it deletes only the tokens it saw)."""

    kind = models.CharField(max_length=20, choices=Kind.choices)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    token = models.UUIDField(default=uuid.uuid4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "project", "month"], name="dirty_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.project_id} {self.month:%Y-%m}"


class RollupState(models.Model):
    """When each kind of rollup was last brought up to date: dashboards show it."""

    kind = models.CharField(max_length=20, choices=Kind.choices, primary_key=True)
    as_of = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.as_of}"
