"""Targets the dashboards draw against, and the monthly quality reports."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ganzhi.org.models import Company, Project, Region


class Metric(models.TextChoices):
    INDEX = "index", _("Satisfaction index")
    NPS = "nps", _("NPS")
    SATISFIED = "satisfied", _("Satisfied owners (%)")
    RESPONSE_SLA = "response_sla", _("Response promises kept (%)")
    RESOLVE_SLA = "resolve_sla", _("Resolution promises kept (%)")
    TANGIBLES = "dim:tangibles", _("Index: tangibles")
    RELIABILITY = "dim:reliability", _("Index: reliability")
    RESPONSIVENESS = "dim:responsiveness", _("Index: responsiveness")
    ASSURANCE = "dim:assurance", _("Index: assurance")
    EMPATHY = "dim:empathy", _("Index: empathy")


class Target(models.Model):
    """A yearly goal for a metric: for the company, a region or a project. The most
    specific one applies (project, then region, then company)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2999)]
    )
    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    value = models.FloatField(
        _("target"), validators=[MinValueValidator(-100), MaxValueValidator(100)]
    )

    scope_company_path = "company"

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "year", "metric"],
                condition=models.Q(region__isnull=True, project__isnull=True),
                name="company_target_once",
                violation_error_message=_("This target is already set."),
            ),
            models.UniqueConstraint(
                fields=["region", "year", "metric"],
                name="region_target_once",
                violation_error_message=_("This target is already set."),
            ),
            models.UniqueConstraint(
                fields=["project", "year", "metric"],
                name="project_target_once",
                violation_error_message=_("This target is already set."),
            ),
            models.CheckConstraint(
                condition=models.Q(region__isnull=True) | models.Q(project__isnull=True),
                name="target_one_unit",
                violation_error_message=_("Set a target for a region or a project, not both."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_metric_display()} {self.value:g}"


class MonthlyReport(models.Model):
    """The monthly quality report of a company or project, rendered by the worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    month = models.DateField(_("month"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    pdf = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    xlsx = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    email_to = models.EmailField(_("email to"), blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope_company_path = "company"
    scope_project_path = "project"

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.project or self.company}"
