import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from ganzhi.org.models import Building, Company, Project
from ganzhi.owners.models import Household
from ganzhi.surveys.models.questionnaires import Questionnaire


class Campaign(models.Model):
    """A relationship wave (满意度调查) over chosen projects and a period, with a sampling plan."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="campaigns"
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    projects = models.ManyToManyField(Project, related_name="survey_campaigns")
    margin_of_error = models.DecimalField(
        _("margin of error"), max_digits=4, decimal_places=3, default=0.05
    )
    confidence = models.DecimalField(_("confidence"), max_digits=4, decimal_places=3, default=0.95)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_company_path = "company"
    scope_project_path = "projects"

    class Meta:
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.name


class Stratum(models.Model):
    """One cell of the sampling plan: a project, or a building of it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="strata")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    population = models.PositiveIntegerField(_("households"))
    target = models.PositiveIntegerField(_("responses needed"))

    scope_company_path = "campaign__company"
    scope_project_path = "project"

    class Meta:
        verbose_name = _("stratum")
        verbose_name_plural = _("strata")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "project", "building"], name="stratum_once")
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.building or ''}".strip()


class Invitation(models.Model):
    """One household's invitation: an unguessable, expiring link, answered at most once.

    The link's token is a signature over ``public_id`` (see surveys.tokens), so it can
    be exported again for SMS or printed QR codes without storing it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="invitations"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    stratum = models.ForeignKey(
        Stratum, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    workorder = models.ForeignKey(
        "workorders.WorkOrder",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_invitations",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    scope_project_path = "project"
    scope_household_path = "household"

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["campaign", "completed_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"],
                condition=models.Q(campaign__isnull=False),
                name="invitation_once_per_campaign",
            ),
            models.UniqueConstraint(
                fields=["workorder", "questionnaire"],
                condition=models.Q(workorder__isnull=False),
                name="invitation_once_per_workorder",
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)
