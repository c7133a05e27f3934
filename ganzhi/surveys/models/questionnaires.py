import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from ganzhi.org.models import Company
from ganzhi.surveys.models.library import IndicatorLibrary, IndicatorNode


class Questionnaire(models.Model):
    class Kind(models.TextChoices):
        RELATIONSHIP = "relationship", _("Relationship wave (满意度调查)")
        TRANSACTIONAL = "transactional", _("After-service survey (MOT)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    library = models.ForeignKey(
        IndicatorLibrary,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaires",
        verbose_name=_("indicator library version"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    allow_anonymous = models.BooleanField(_("anonymous answers allowed"), default=False)
    intro = models.TextField(_("introduction"), max_length=1000, blank=True)
    # After-service surveys: sent when an order of one of these categories closes.
    workorder_categories = models.ManyToManyField(
        "workorders.Category",
        blank=True,
        related_name="after_service_questionnaires",
        verbose_name=_("after-service survey for categories"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_company_path = "company"

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    class Type(models.TextChoices):
        RECOMMEND = "recommend", _("Likelihood to recommend (0–10, NPS)")
        RATING = "rating", _("Satisfaction rating")
        EXPECTATION_PERCEPTION = "ep", _("Expectation and perception (SERVQUAL gap)")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TEXT = "text", _("Open text")

    class Role(models.TextChoices):
        NONE = "", _("—")
        OVERALL = "overall", _("Overall satisfaction")
        RECOMMEND = "recommend", _("Likelihood to recommend")
        RENEW = "renew", _("Renew / stay intention")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    code = models.SlugField(_("code"), max_length=60)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help"), max_length=300, blank=True)
    indicator = models.ForeignKey(
        IndicatorNode, on_delete=models.PROTECT, null=True, blank=True, related_name="questions"
    )
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    options = models.JSONField(
        _("options"), default=list, blank=True, help_text=_('[{"value": "a", "label": "…"}, …]')
    )
    required = models.BooleanField(_("required"), default=True)
    # Shown only when another question's answer meets a condition, e.g.
    # {"question": "recommend", "op": "lte", "value": 6} (a detractor is asked why).
    show_if = models.JSONField(_("shown if"), default=dict, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_unique")
        ]

    def __str__(self) -> str:
        return self.text
