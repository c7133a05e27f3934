"""The one scoping chokepoint: which rows a user may see.

``scope_for(user)`` turns a user into a :class:`Scope` (their company and the
projects, or for owners the households, they may see); ``visible(queryset, user)``
filters any queryset through it. Every selector, view, admin and API endpoint
reads through ``visible``. Models declare how they reach their scope with class
attributes:

- ``scope_company_path`` (default ``"company"``): the tenant;
- ``scope_project_path``: the project(s) a row belongs to;
- ``scope_region_path``: for regions themselves;
- ``scope_household_path``: what an owner may see of it (absent: owners see none).

A model with neither project nor region path is company-wide reference data
(posts, the company itself) and is visible to everyone in the company.
"""

from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404

from ganzhi.core.roles import Role

M = TypeVar("M", bound=Model)

_PROJECT_ROLES = {Role.PROJECT_MANAGER, Role.CUSTOMER_SERVICE, Role.FRONTLINE}


@dataclass(frozen=True)
class Scope:
    company_id: int | None = None
    project_ids: frozenset[int] | None = None  # None: every project of the company
    region_ids: frozenset[int] | None = None
    household_ids: frozenset[int] | None = None  # set only for owners
    everything: bool = False  # operators (superusers) across companies

    @property
    def is_company_wide(self) -> bool:
        return self.everything or (
            self.company_id is not None and self.project_ids is None and self.household_ids is None
        )


NOTHING = Scope()


def scope_for(user) -> Scope:
    """The scope of ``user``, computed once per user object (i.e. once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_ganzhi_scope", None)
    if cached is None:
        cached = _compute_scope(user)
        user._ganzhi_scope = cached
    return cached


def _compute_scope(user) -> Scope:
    from ganzhi.org.models import Project

    if user.is_superuser and user.company_id is None:
        return Scope(everything=True)
    if user.company_id is None:
        return NOTHING
    company_id = user.company_id
    if user.is_superuser or user.role == Role.HQ:
        return Scope(company_id=company_id)
    if user.role == Role.OWNER:
        from ganzhi.owners.models import Household

        households = Household.objects.filter(
            company_id=company_id, is_current=True, memberships__owner__user=user
        )
        household_ids = frozenset(households.values_list("id", flat=True))
        project_ids = frozenset(households.values_list("project_id", flat=True))
        return Scope(
            company_id=company_id,
            project_ids=project_ids,
            region_ids=frozenset(),
            household_ids=household_ids,
        )
    staff = getattr(user, "staff", None)  # the reverse one-to-one raises AttributeError
    if staff is None or not staff.is_active:
        return Scope(company_id=company_id, project_ids=frozenset(), region_ids=frozenset())
    if user.role == Role.REGION_MANAGER:
        region_ids = frozenset(staff.regions.values_list("id", flat=True))
        project_ids = frozenset(
            Project.objects.filter(company_id=company_id, region_id__in=region_ids).values_list(
                "id", flat=True
            )
        )
        return Scope(company_id=company_id, project_ids=project_ids, region_ids=region_ids)
    if user.role in _PROJECT_ROLES:
        projects = staff.projects.filter(company_id=company_id)
        return Scope(
            company_id=company_id,
            project_ids=frozenset(projects.values_list("id", flat=True)),
            region_ids=frozenset(projects.values_list("region_id", flat=True)),
        )
    return Scope(company_id=company_id, project_ids=frozenset(), region_ids=frozenset())


def visible(queryset: QuerySet[M], user) -> QuerySet[M]:
    """``queryset`` narrowed to what ``user`` may see."""
    return apply_scope(queryset, scope_for(user))


def apply_scope(queryset: QuerySet[M], scope: Scope) -> QuerySet[M]:
    model = queryset.model
    if scope.everything:
        return queryset
    if scope.company_id is None:
        return queryset.none()
    company_path = getattr(model, "scope_company_path", "company")
    queryset = queryset.filter(**{company_path: scope.company_id})
    if scope.household_ids is not None:
        path = getattr(model, "scope_household_path", None)
        if path is None:
            return queryset.none()
        return _filter_in(queryset, path, scope.household_ids)
    if scope.project_ids is None:
        return queryset
    project_path = getattr(model, "scope_project_path", None)
    if project_path is not None:
        return _filter_in(queryset, project_path, scope.project_ids)
    region_path = getattr(model, "scope_region_path", None)
    if region_path is not None:
        return _filter_in(queryset, region_path, scope.region_ids or frozenset())
    return queryset  # company-wide reference data


def get_visible_or_404(queryset: QuerySet[M], user, **lookup) -> M:
    """One object the user may see, or 404 — also when it exists outside their scope."""
    try:
        return visible(queryset, user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def _filter_in(queryset: QuerySet[M], path: str, ids: frozenset[int]) -> QuerySet[M]:
    lookup = f"{path}__in" if path != "id" else "id__in"
    if not _is_multi_valued(queryset.model, path):
        return queryset.filter(**{lookup: ids})
    # A path through a to-many relation would repeat rows; filter by key instead.
    matching = queryset.model._default_manager.filter(**{lookup: ids}).values("pk")
    return queryset.filter(pk__in=matching)


def _is_multi_valued(model: type[Model], path: str) -> bool:
    current = model
    for name in path.split("__"):
        field = current._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        if field.related_model is None:
            return False
        current = field.related_model
    return False
