"""Company → region → project → building → unit; posts; staff; users with roles.

Every row that belongs to a company carries ``company`` (the tenant), so one
installation serves several companies without leaking between them. Rows below
a project also carry ``project`` directly: scoping filters on it without joins.
URLs and the API use ``public_id`` (a UUID), never the integer key.
"""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ganzhi.core.roles import Role


class Company(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_company_path = "id"

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="regions")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)

    scope_region_path = "id"

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"],
                name="region_code_unique",
                violation_error_message=_("A region with this code already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="projects")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="projects")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_project_path = "id"
    scope_household_path = "households"

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"],
                name="project_code_unique",
                violation_error_message=_("A project with this code already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="buildings")
    name = models.CharField(_("name"), max_length=50)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                name="building_name_unique",
                violation_error_message=_("This project already has a building with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    class Type(models.TextChoices):
        RESIDENTIAL = "residential", _("Residential")
        COMMERCIAL = "commercial", _("Commercial")
        PARKING = "parking", _("Parking")

    class Status(models.TextChoices):
        VACANT = "vacant", _("Vacant")
        OCCUPIED = "occupied", _("Occupied")
        RENTED = "rented", _("Rented")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="units")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units")
    entrance = models.CharField(_("entrance"), max_length=20, blank=True)
    number = models.CharField(_("unit number"), max_length=20)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    area = models.DecimalField(
        _("building area (m²)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    type = models.CharField(
        _("type"), max_length=20, choices=Type.choices, default=Type.RESIDENTIAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.VACANT
    )

    scope_project_path = "project"
    scope_household_path = "households"

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building", "entrance", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "entrance", "number"],
                name="unit_number_unique",
                violation_error_message=_(
                    "This building already has a unit with this entrance and number."
                ),
            ),
        ]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Address as owners write it: 3栋2单元1201 (building, entrance, number)."""
        entrance = f"{self.entrance}单元" if self.entrance else ""
        return f"{self.building.name}{entrance}{self.number}"


class Post(models.Model):
    """A front-line post (岗位): 客服, 秩序维护, 保洁, 绿化, 工程维修, 管家 …"""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="posts")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    scope_company_path = "company"

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"],
                name="post_code_unique",
                violation_error_message=_("A post with this code already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A login. ``company`` is empty only for operators (superusers)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = self.get_full_name()
        return full or self.username

    def get_full_name(self) -> str:
        # Chinese names: family name first, no space.
        return f"{self.last_name}{self.first_name}".strip()


class Staff(models.Model):
    """An employee (员工): post, the projects and regions they work for, supervisor."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="staff")
    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="staff"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    employee_no = models.CharField(_("employee number"), max_length=30)
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    projects = models.ManyToManyField(Project, blank=True, related_name="staff")
    regions = models.ManyToManyField(Region, blank=True, related_name="staff")
    supervisor = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    is_active = models.BooleanField(pgettext_lazy("staff", "active"), default=True)

    scope_project_path = "projects"

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "employee_no"],
                name="staff_no_unique",
                violation_error_message=_(
                    "A staff member with this employee number already exists."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name
