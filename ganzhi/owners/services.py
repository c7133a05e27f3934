"""Writes to the owner registry."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ganzhi.core.errors import DomainError
from ganzhi.core.personal_data import is_valid_mobile, normalize_phone
from ganzhi.core.services import require_perm, require_project_in_scope, validated_save
from ganzhi.core.spreadsheets import SUPPORTED_SUFFIXES, read_sheet
from ganzhi.org.models import Unit
from ganzhi.org.services import apply_changes
from ganzhi.owners.importing import import_households
from ganzhi.owners.models import Household, HouseholdMember, ImportJob, Owner

logger = logging.getLogger(__name__)


def _check_phone(phone: str) -> str:
    phone = normalize_phone(phone)
    if phone and not is_valid_mobile(phone):
        raise DomainError(
            "invalid",
            _("Some fields are not valid."),
            details={"phone": [_("Enter an 11-digit mainland mobile number.")]},
        )
    return phone


@transaction.atomic
def owner_create(
    *,
    actor,
    unit: Unit,
    name: str,
    phone: str = "",
    relation: str = HouseholdMember.Relation.OWNER,
    **profile,
) -> Owner:
    """Register a person on ``unit``'s current household (created if the unit has none)."""
    require_perm(actor, "owners.add_owner")
    require_project_in_scope(actor, unit.project)
    owner = validated_save(
        Owner(company_id=unit.company_id, name=name, phone=_check_phone(phone), **profile),
        exclude=["user"],
    )
    household = Household.objects.select_for_update().filter(unit=unit, is_current=True).first()
    if household is None:
        household = Household.objects.create(
            company_id=unit.company_id, project_id=unit.project_id, unit=unit
        )
    is_first = not household.memberships.exists()
    HouseholdMember.objects.create(
        company_id=unit.company_id,
        household=household,
        owner=owner,
        relation=relation,
        is_primary_contact=is_first,
    )
    if unit.status == Unit.Status.VACANT:
        unit.status = (
            Unit.Status.RENTED
            if relation == HouseholdMember.Relation.TENANT
            else Unit.Status.OCCUPIED
        )
        unit.save(update_fields=["status"])
    return owner


@transaction.atomic
def owner_update(*, actor, owner: Owner, **changes) -> Owner:
    require_perm(actor, "owners.change_owner")
    for household in owner.households.select_related("project"):
        require_project_in_scope(actor, household.project)
    if {"phone", "id_number"} & changes.keys():
        require_perm(actor, "owners.view_personal_data")
    if "phone" in changes:
        changes["phone"] = _check_phone(changes["phone"])
    apply_changes(owner, changes)
    return validated_save(owner, exclude=["user"])


# --- registry imports run in the background ----------------------------------


def import_job_create(*, actor, project, upload) -> ImportJob:
    """Store an uploaded registry file and queue its import; the worker runs it."""
    from django.conf import settings

    from ganzhi.owners.tasks import run_import_job

    require_perm(actor, "owners.add_importjob")
    require_project_in_scope(actor, project)
    name = upload.name or ""
    if not name.lower().endswith(SUPPORTED_SUFFIXES):
        raise DomainError("unsupported_file", _("Only .csv and .xlsx files can be imported."))
    if upload.size > settings.GANZHI_IMPORT_MAX_BYTES:
        raise DomainError(
            "file_too_large",
            _("The file is larger than %(mb)d MB.")
            % {"mb": settings.GANZHI_IMPORT_MAX_BYTES // (1024 * 1024)},
        )
    with transaction.atomic():
        job = ImportJob(
            company_id=project.company_id,
            project=project,
            created_by=actor,
            original_name=name[:200],
        )
        job.file.save(name, upload, save=False)
        job.save()
        transaction.on_commit(lambda: run_import_job.enqueue(job.id))
    return job


def _import_job_failed(job: ImportJob, exc: DomainError) -> None:
    ImportJob.objects.filter(id=job.id).update(
        status=ImportJob.Status.FAILED,
        summary={"code": exc.code, "message": str(exc.message)},
        errors=exc.details if isinstance(exc.details, list) else [],
        finished_at=timezone.now(),
    )


def import_job_run(*, job_id: int) -> None:
    """Run one queued import; the outcome (summary or row errors) is stored on the job."""
    job = ImportJob.objects.select_related("project").get(id=job_id)
    if job.status != ImportJob.Status.PENDING:
        return  # already run (a task delivered twice must not import twice)
    ImportJob.objects.filter(id=job.id).update(status=ImportJob.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(id=job.id).update(rows_done=done, rows_total=total)

    try:
        with job.file.open("rb") as handle:
            sheet = read_sheet(handle, original_name=job.original_name)
        result = import_households(project=job.project, sheet=sheet, progress=progress)
    except DomainError as exc:
        _import_job_failed(job, exc)
        return
    except Exception:
        logger.exception("import job %s crashed", job.public_id)
        _import_job_failed(
            job,
            DomainError(
                "import_crashed", _("The import failed unexpectedly; nothing was changed.")
            ),
        )
        raise
    ImportJob.objects.filter(id=job.id).update(
        status=ImportJob.Status.SUCCEEDED,
        rows_done=result.rows,
        rows_total=result.rows,
        summary=result.as_dict(),
        finished_at=timezone.now(),
    )
