"""Helpers that every app's services share: permission checks and validated saves."""

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from ganzhi.core.errors import DomainError
from ganzhi.core.scoping import scope_for


def require_perm(actor, perm: str) -> None:
    if not actor.has_perm(perm):
        raise DomainError("forbidden", _("You do not have permission to do this."), status=403)


def require_project_in_scope(actor, project) -> None:
    """Refuse writes into a project outside the actor's scope (as not found: no leak)."""
    scope = scope_for(actor)
    if scope.everything:
        return
    in_company = project.company_id == scope.company_id
    in_projects = scope.project_ids is None or project.id in scope.project_ids
    if not (in_company and in_projects) or scope.household_ids is not None:
        raise DomainError("not_found", _("Project not found."), status=404)


def validated_save(instance: Model, *, exclude: list[str] | None = None) -> Model:
    """``full_clean`` then save; validation problems become a DomainError with field details."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise DomainError(
            "invalid",
            _("Some fields are not valid."),
            details={field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()},
        ) from exc
    instance.save()
    return instance
