"""Owners (people), households (who lives in a unit) and their profiles.

Phone and ID numbers are personal data: stored once, on ``Owner``, shown masked
to roles without ``owners.view_personal_data`` (see ganzhi.core.personal_data),
and never included in ``__str__`` or log lines.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ganzhi.org.models import Company, Project, Unit


class Owner(models.Model):
    class AgeBand(models.TextChoices):
        UNDER_30 = "under_30", _("Under 30")
        FROM_30_TO_44 = "30_44", _("30–44")
        FROM_45_TO_59 = "45_59", _("45–59")
        FROM_60_TO_74 = "60_74", _("60–74")
        OVER_75 = "75_plus", _("75 and over")

    class ValueType(models.TextChoices):
        DEMANDING = "demanding", _("Demanding (挑剔型)")
        EASY_GOING = "easy_going", _("Easy-going (大方型)")
        ECONOMICAL = "economical", _("Economical (经济型)")
        COMFORT = "comfort", _("Comfort-seeking (享受型)")

    class CommunicationStyle(models.TextChoices):
        PEACOCK = "peacock", _("Peacock (孔雀)")
        OWL = "owl", _("Owl (猫头鹰)")
        TIGER = "tiger", _("Tiger (老虎)")
        PANDA = "panda", _("Panda (熊猫)")

    class TrustLevel(models.TextChoices):
        NONE = "none", _("No influence yet")
        VALUED = "valued", _("Valued")
        PART_OF_LIFE = "part_of_life", _("Part of their life")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone call")
        SMS = "sms", _("SMS")
        WECHAT = "wechat", _("WeChat")
        VISIT = "visit", _("Home visit")
        EMAIL = "email", _("Email")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="owners")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owner",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=30, blank=True)
    age_band = models.CharField(_("age band"), max_length=20, choices=AgeBand.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=50, blank=True)
    elderly_alone = models.BooleanField(_("elderly living alone"), default=False)
    has_children = models.BooleanField(_("children at home"), default=False)
    has_disability = models.BooleanField(_("disability"), default=False)
    care_notes = models.CharField(_("special care notes"), max_length=200, blank=True)
    value_type = models.CharField(
        _("value type"), max_length=20, choices=ValueType.choices, blank=True
    )
    communication_style = models.CharField(
        _("communication style"), max_length=20, choices=CommunicationStyle.choices, blank=True
    )
    trust_level = models.CharField(
        _("trust level"), max_length=20, choices=TrustLevel.choices, default=TrustLevel.NONE
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=20, choices=Channel.choices, default=Channel.PHONE
    )
    quiet_hours = models.CharField(_("do not disturb"), max_length=50, blank=True)
    consent_contact = models.BooleanField(_("agrees to service contact"), default=True)
    consent_survey = models.BooleanField(_("agrees to surveys"), default=True)
    consent_marketing = models.BooleanField(_("agrees to community offers"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_project_path = "memberships__household__project"
    scope_household_path = "memberships__household"

    class Meta:
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        ordering = ["name", "id"]
        permissions = [("view_personal_data", "Can see full phone and ID numbers")]
        indexes = [models.Index(fields=["company", "phone"]), models.Index(fields=["phone"])]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    """The people living in one unit (户), from move-in to move-out."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="households")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="households")
    move_in_date = models.DateField(_("move-in date"), null=True, blank=True)
    move_out_date = models.DateField(_("move-out date"), null=True, blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    members = models.ManyToManyField(Owner, through="HouseholdMember", related_name="households")

    scope_project_path = "project"
    scope_household_path = "id"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(is_current=True),
                name="one_current_household_per_unit",
                violation_error_message=_("This unit already has a current household."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.unit)


class HouseholdMember(models.Model):
    class Relation(models.TextChoices):
        OWNER = "owner", _("Owner")
        CO_OWNER = "co_owner", _("Co-owner")
        FAMILY = "family", _("Family member")
        TENANT = "tenant", _("Tenant")

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="memberships")
    relation = models.CharField(
        _("relation"), max_length=20, choices=Relation.choices, default=Relation.OWNER
    )
    share = models.DecimalField(
        _("ownership share (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    is_primary_contact = models.BooleanField(_("primary contact"), default=False)

    scope_project_path = "household__project"
    scope_household_path = "household"

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "owner"],
                name="member_once",
                violation_error_message=_("This person is already a member of the household."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} · {self.get_relation_display()}"


class ImportJob(models.Model):
    """A registry import run in the background, with its progress and error report."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Rejected")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="import_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name
