"""Writes from the owner portal and the QR-place pages.

Reports go through ``ganzhi.workorders.services`` (``workorder_create`` with
``actor=None``, then ``workorder_attach``) in one transaction: a photo the attach
service refuses means no order at all. The portal forms have already checked
every field and every photo before this is called.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from ganzhi.core import ratelimit
from ganzhi.core.errors import DomainError
from ganzhi.core.services import require_perm, require_project_in_scope, validated_save
from ganzhi.notifications.channels import Recipient
from ganzhi.notifications.services import notify
from ganzhi.org.models import Building, Project, Unit
from ganzhi.owners.models import Owner
from ganzhi.workorders.models import Category, Channel, QRPlace, WorkOrder
from ganzhi.workorders.services import workorder_attach, workorder_create

SMS_PER_PHONE_PER_DAY = 5  # confirmation texts to one number (the number is not verified)


def owner_for_phone(*, company_id: int, phone: str, project_id: int | None = None) -> Owner | None:
    """The registered owner of this company with this mobile number (one living in
    ``project_id`` first), or None."""
    if not phone:
        return None
    owners = list(Owner.objects.filter(company_id=company_id, phone=phone).order_by("pk"))
    if project_id is not None:
        for owner in owners:
            if owner.households.filter(is_current=True, project_id=project_id).exists():
                return owner
    return owners[0] if owners else None


def _create_with_photos(*, photos, **create) -> WorkOrder:
    saved = []
    try:
        with transaction.atomic():
            order = workorder_create(actor=None, **create)
            for photo in photos:
                saved.append(
                    workorder_attach(actor=None, order=order, upload=photo, from_owner=True)
                )
    except Exception:
        for attachment in saved:  # the rows are rolled back; remove their files too
            attachment.file.storage.delete(attachment.file.name)
        raise
    return order


def _confirm_to_reporter(order: WorkOrder, *, phone: str, name: str, link: str) -> None:
    owner = order.reporter
    if owner is not None and not owner.consent_contact:
        return
    if not phone:
        return
    if not ratelimit.hit(f"portal:sms:{phone}", limit=SMS_PER_PHONE_PER_DAY, window_seconds=86400):
        return  # the report stands; the form cannot be used to flood someone's phone
    recipient = Recipient(label=name, phone=phone)
    title = _("We received your request %(number)s") % {"number": order.number}
    body = _("Follow its progress here: %(link)s") % {"link": link} if link else ""
    transaction.on_commit(
        lambda: notify(
            recipients=[recipient], event="portal_received", title=title, body=body, link=link
        )
    )


def qr_report_submit(
    *,
    place: QRPlace,
    category: Category,
    description: str,
    reporter_name: str,
    reporter_phone: str,
    photos: list,
    link_for=None,
) -> WorkOrder:
    """A report from a scanned QR code. The reporter is linked to the registered owner
    with the same mobile number in this company, if there is one. ``link_for(order)``
    gives the tracking link texted to the reporter."""
    if not place.is_active:
        raise DomainError("not_found", _("This QR code is no longer in use."), status=404)
    reporter = owner_for_phone(
        company_id=place.company_id, phone=reporter_phone, project_id=place.project_id
    )
    with transaction.atomic():
        order = _create_with_photos(
            photos=photos,
            project=place.project,
            category=category,
            title=f"{category.name} · {place.name}",
            description=description,
            channel=Channel.QR,
            place=place,
            reporter=reporter,
            reporter_name=reporter_name,
            reporter_phone=reporter_phone,
        )
        _confirm_to_reporter(
            order,
            phone=reporter_phone,
            name=reporter_name,
            link=link_for(order) if link_for else "",
        )
    return order


def owner_report_submit(
    *,
    owner: Owner,
    unit: Unit,
    category: Category,
    description: str,
    photos: list,
    link_for=None,
) -> WorkOrder:
    """A report by a logged-in owner about a unit of one of their current households."""
    if not owner.households.filter(is_current=True, unit=unit).exists():
        raise DomainError("not_found", _("Unit not found."), status=404)
    with transaction.atomic():
        order = _create_with_photos(
            photos=photos,
            project=unit.project,
            unit=unit,
            category=category,
            title=f"{category.name} · {unit.label}",
            description=description,
            channel=Channel.PORTAL,
            reporter=owner,
            reporter_name=owner.name,
            reporter_phone=owner.phone,
        )
        _confirm_to_reporter(
            order,
            phone=owner.phone,
            name=owner.name,
            link=link_for(order) if link_for else "",
        )
    return order


# --- QR places (staff) -------------------------------------------------------------


def _check_building(project: Project, building: Building | None) -> None:
    if building is not None and building.project_id != project.id:
        raise DomainError(
            "invalid",
            _("The building is not in this project."),
            details={"building": [_("Not in this project.")]},
        )


@transaction.atomic
def qrplace_create(
    *, actor, project: Project, name: str, kind: str, building: Building | None = None
) -> QRPlace:
    require_perm(actor, "workorders.add_qrplace")
    require_project_in_scope(actor, project)
    _check_building(project, building)
    place = QRPlace(
        company_id=project.company_id,
        project=project,
        name=name.strip(),
        kind=kind,
        building=building,
    )
    return validated_save(place)


@transaction.atomic
def qrplace_update(
    *,
    actor,
    place: QRPlace,
    name: str,
    kind: str,
    building: Building | None,
    is_active: bool,
) -> QRPlace:
    require_perm(actor, "workorders.change_qrplace")
    require_project_in_scope(actor, place.project)
    _check_building(place.project, building)
    place.name = name.strip()
    place.kind = kind
    place.building = building
    place.is_active = is_active
    return validated_save(place)
