import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ganzhi.org.models import Company, Project, Staff
from ganzhi.owners.models import Household
from ganzhi.surveys.models.responses import Response


class CallbackTask(models.Model):
    """A call-back to a detractor or an owner who scored an item low (贬损者转化)."""

    class Reason(models.TextChoices):
        DETRACTOR = "detractor", _("Detractor (0–6)")
        LOW_ITEM = "low_item", _("Low item score")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached the owner")
        NOT_REACHED = "not_reached", _("Could not reach")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="callbacks")
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=200, blank=True)
    due_at = models.DateTimeField(_("call by"))
    assigned_to = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    issue_found = models.TextField(_("issue found"), max_length=1000, blank=True)
    workorder = models.ForeignKey(
        "workorders.WorkOrder", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recovered = models.BooleanField(_("recovered"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("call-back task")
        verbose_name_plural = _("call-back tasks")
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["project", "done_at", "due_at"]),
            models.Index(fields=["company", "done_at", "due_at"]),
        ]
        constraints = [models.UniqueConstraint(fields=["response", "reason"], name="callback_once")]

    def __str__(self) -> str:
        return f"{self.project} {self.reason}"
