import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ganzhi.org.models import Company, Post


class Dimension(models.TextChoices):
    """The five SERVQUAL dimensions in the property wording of the seeds."""

    TANGIBLES = "tangibles", _("Tangibles (有形度)")
    ASSURANCE = "assurance", _("Professionalism (专业度)")
    RESPONSIVENESS = "responsiveness", _("Responsiveness (反应度)")
    RELIABILITY = "reliability", _("Reliability (信赖度)")
    EMPATHY = "empathy", _("Empathy (同理度)")


class IndicatorLibrary(models.Model):
    """A company's satisfaction indicator system (满意度指标体系), one version of it.

    Once a questionnaire uses a version it is locked: editing makes a new version
    (``based_on`` the old one), so old answers keep the weights they were given.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    version = models.PositiveIntegerField(_("version"), default=1)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="successors"
    )
    is_locked = models.BooleanField(_("in use (locked)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    scope_company_path = "company"

    class Meta:
        verbose_name = _("indicator library")
        verbose_name_plural = _("indicator libraries")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "name", "version"], name="library_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class IndicatorNode(models.Model):
    """A node of the tree: post → SERVQUAL dimension → sub-indicator (the question).

    ``weight`` is the node's share within its parent (siblings sum to 1); the posts
    at the top share the library's whole.
    """

    class Level(models.TextChoices):
        POST = "post", _("Post")
        DIMENSION = "dimension", _("Dimension")
        ITEM = "item", _("Sub-indicator")

    library = models.ForeignKey(IndicatorLibrary, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    code = models.SlugField(_("code"), max_length=60)
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dimension = models.CharField(
        _("dimension"), max_length=20, choices=Dimension.choices, blank=True
    )
    text = models.CharField(_("wording"), max_length=200)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=4)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["library", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["library", "code"], name="indicator_code_unique")
        ]

    def __str__(self) -> str:
        return self.text
