"""After-service (MOT) surveys: a short survey right after a work order closes.

``on_workorder_closed(order)`` is called by the work-order services after an order
reaches ``closed`` (``transaction.on_commit``, so it runs outside their transaction).
If a published after-service questionnaire of the company lists the order's category,
the order's household gets an invitation (valid ``AFTER_SERVICE_DAYS`` days) and the
owner a message with the link — unless that owner declined surveys. The answer later
carries the order, its post and its handler (see ``answering.response_open``), so each
moment of truth gets a score. One invitation per order and questionnaire: an order that
is reopened and closed again is not surveyed twice.
"""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ganzhi.surveys.campaigns import answer_path, answer_url, owner_survey_notify, survey_contact
from ganzhi.surveys.models import Invitation, Questionnaire

logger = logging.getLogger(__name__)

AFTER_SERVICE_DAYS = 7


def after_service_questionnaire(order) -> Questionnaire | None:
    """The newest published after-service questionnaire for the order's category."""
    return (
        Questionnaire.objects.filter(
            company_id=order.company_id,
            kind=Questionnaire.Kind.TRANSACTIONAL,
            status=Questionnaire.Status.PUBLISHED,
            workorder_categories=order.category_id,
        )
        .order_by("-created_at", "-id")
        .first()
    )


def _contact(order):
    """The reporter when they belong to the household, else its primary contact."""
    household = order.household
    if (
        order.reporter_id is not None
        and household.memberships.filter(owner_id=order.reporter_id).exists()
    ):
        return order.reporter if order.reporter.consent_survey else None
    return survey_contact(household)


def after_service_invite(order, *, now: dt.datetime | None = None) -> Invitation | None:
    """Invite the order's household to the after-service survey (idempotent); None when
    no survey applies, the order has no household, or the owner declined surveys."""
    from ganzhi.workorders.models import State, WorkOrder

    now = now or timezone.now()
    with transaction.atomic():
        order = (
            WorkOrder.objects.select_for_update(of=("self",))
            .select_related("household", "reporter__user", "category")
            .get(pk=order.pk)
        )
        if order.state != State.CLOSED or order.household_id is None:
            return None
        questionnaire = after_service_questionnaire(order)
        if questionnaire is None:
            return None
        if Invitation.objects.filter(workorder=order, questionnaire=questionnaire).exists():
            return None
        owner = _contact(order)
        if owner is None:
            return None
        invitation = Invitation.objects.create(
            company_id=order.company_id,
            questionnaire=questionnaire,
            household=order.household,
            project_id=order.project_id,
            workorder=order,
            expires_at=now + dt.timedelta(days=AFTER_SERVICE_DAYS),
            sent_at=now,
        )
        owner_survey_notify(
            owner,
            event="survey_after_service",
            title=_("How did we do with %(number)s?") % {"number": order.number},
            body=_("Your request “%(title)s” is closed. Tell us in a minute how it went: %(link)s")
            % {"title": order.title, "link": answer_url(invitation)},
            link=answer_path(invitation),
        )
    return invitation


def on_workorder_closed(order) -> None:
    """Hook for the work-order services (after commit). Never raises: a survey problem
    must not turn a closed order into an error page."""
    try:
        after_service_invite(order)
    except Exception:
        logger.exception("after-service survey for work order %s failed", order.pk)
