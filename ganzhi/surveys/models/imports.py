import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ganzhi.org.models import Company, Project
from ganzhi.surveys.models.questionnaires import Questionnaire


class ImportMapping(models.Model):
    """Which export column answers which question, saved per questionnaire and tool."""

    class Tool(models.TextChoices):
        WJX = "wjx", _("问卷星 (wjx)")
        TENCENT = "tencent", _("腾讯问卷")
        OTHER = "other", _("Other")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="import_mappings"
    )
    tool = models.CharField(max_length=20, choices=Tool.choices)
    columns = models.JSONField(default=dict)  # column header → question code / meta field
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "tool"], name="mapping_once")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} · {self.tool}"


class ResponseImport(models.Model):
    """An import of a survey tool's export file, with its outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Rejected")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="imports"
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    tool = models.CharField(max_length=20, choices=ImportMapping.Tool.choices)
    file = models.FileField(upload_to="survey-imports/%Y/%m/")
    original_name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope_company_path = "company"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name
