import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ganzhi.org.models import Building, Company, Post, Project, Staff
from ganzhi.owners.models import Household
from ganzhi.surveys.models.campaigns import Campaign, Invitation
from ganzhi.surveys.models.questionnaires import Question, Questionnaire


class Response(models.Model):
    """One owner's answers to one questionnaire (a draft until submitted).

    Anonymous responses keep ``household`` empty: nothing links them back to a home.
    Flagged responses (``quality_flags``) are excluded from scores until a quality
    lead restores them.
    """

    class Source(models.TextChoices):
        WEB = "web", _("Owner answered online")
        IMPORT = "import", _("Imported from a survey tool")
        PAPER = "paper", _("Paper / interview")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    workorder = models.ForeignKey(
        "workorders.WorkOrder",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_responses"
    )
    is_anonymous = models.BooleanField(default=False)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(
        Building, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    staff = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.WEB)
    external_id = models.CharField(max_length=80, blank=True)
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    device_hash = models.CharField(max_length=64, blank=True)
    address_hash = models.CharField(max_length=64, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    quality_flags = models.JSONField(default=list, blank=True)
    excluded = models.BooleanField(default=False)
    weight = models.FloatField(default=1.0)

    scope_project_path = "project"
    scope_household_path = "household"

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        permissions = [("review_response", "Can exclude and restore flagged responses")]
        indexes = [
            models.Index(fields=["project", "submitted_at"]),
            models.Index(fields=["questionnaire", "submitted_at"]),
            models.Index(fields=["company", "submitted_at"]),
            models.Index(fields=["questionnaire", "device_hash"]),
            models.Index(fields=["questionnaire", "address_hash"]),
            models.Index(fields=["household", "submitted_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "external_id"],
                condition=~models.Q(external_id=""),
                name="response_external_id_once",
            )
        ]

    def __str__(self) -> str:
        return str(self.public_id)


class Answer(models.Model):
    """One answer: ``number`` (scores; the perception of an E/P pair), ``expectation``
    (the E of an E/P pair), ``text`` or ``choices``."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.FloatField(null=True, blank=True)
    expectation = models.FloatField(null=True, blank=True)
    text = models.TextField(max_length=2000, blank=True)
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.question_id}"


class QualityReview(models.Model):
    """An audited decision on a flagged response: exclude it, or restore it."""

    class Action(models.TextChoices):
        EXCLUDE = "exclude", _("Excluded")
        RESTORE = "restore", _("Restored")

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(max_length=20, choices=Action.choices)
    reason = models.CharField(max_length=200)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.response_id} {self.action}"
