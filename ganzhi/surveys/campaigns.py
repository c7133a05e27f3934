"""Relationship waves (满意度调查): the sampling plan, invitations, reminders, progress and
post-stratification weights.

**Sampling plan.** A campaign's strata are its projects, or with ``by_building`` each
building of them, with population N_h = the current households there. Each stratum's
target is the sample it needs on its own to estimate a proportion within ±e at the
chosen confidence, with the finite-population correction (Cochran 1977, eqs. 4.1–4.2;
``ganzhi.stats.sampling.sample_size``)::

    n0 = z²·p(1−p)/e²  (p = 0.5),   n_h = ⌈n0 / (1 + (n0 − 1)/N_h)⌉

so a building's own score is as precise as promised (N = 1000, ±5 %, 95 % → 278; a
building of 100 households needs 80). Small strata come close to a census — that is the
price of per-building precision; choose ``by_building=False`` for project-level waves.

**Who is invited.** Every current household of a stratum when ``everyone``; otherwise a
simple random sample of ⌈target × oversampling⌉ households (all of them when the stratum
is smaller). ``oversampling`` is 1 / the expected response rate: the default 2.5 expects
40 % of invited owners to answer, typical for SMS and WeChat links in residential
communities; raise it for a stratum that lags. Households whose registered members all
declined surveys (``consent_survey``) are never invited. Issuing again tops up to the
quota and never invites a household twice in one campaign.

**Weights.** When a campaign closes (and on demand) each submitted response gets the
post-stratification weight of its stratum, w_h = (N_h/N)/(n_h/n)
(``ganzhi.stats.indices.poststratification_weights``), so an under-represented building counts
for the households it stands for. A stratum without respondents cannot be weighted:
the buildings of that project are then pooled into one project cell; a project without
any respondent is left out of the weighting (reported in the result).
"""

import datetime as dt
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ganzhi.core.errors import DomainError
from ganzhi.core.personal_data import can_see_personal_data, mask_phone
from ganzhi.core.scoping import scope_for, visible
from ganzhi.core.services import require_perm, require_project_in_scope
from ganzhi.notifications.channels import Recipient
from ganzhi.notifications.services import notify
from ganzhi.org.models import Project
from ganzhi.owners.models import Household, HouseholdMember
from ganzhi.rollups import services as rollups
from ganzhi.stats.indices import poststratification_weights
from ganzhi.stats.sampling import margin_of_error, sample_size
from ganzhi.surveys.models import Campaign, Invitation, Questionnaire, Response, Stratum
from ganzhi.surveys.tokens import token_for

MARGIN_RANGE = (Decimal("0.01"), Decimal("0.2"))
CONFIDENCE_RANGE = (Decimal("0.8"), Decimal("0.999"))
OVERSAMPLING = 2.5
EXPIRY_DAYS_RANGE = (1, 90)
REMIND_EVERY = dt.timedelta(days=3)
MAX_REMINDERS = 3


def _invalid(field_name: str, message: str) -> DomainError:
    return DomainError("invalid", message, details={field_name: [message]})


# --- links -------------------------------------------------------------------------


def answer_path(invitation: Invitation) -> str:
    return reverse("surveys_owner:answer", args=[token_for(invitation)])


def answer_url(invitation: Invitation, *, base: str | None = None) -> str:
    """The link an owner opens. ``base`` is ``scheme://host`` (from the request); without
    it ``GANZHI_PUBLIC_URL`` (for messages sent by the worker), else a relative path."""
    if base is None:
        base = getattr(settings, "GANZHI_PUBLIC_URL", "")
    return f"{base.rstrip('/')}{answer_path(invitation)}"


# --- creating a wave ---------------------------------------------------------------


def _decimal(value, field_name: str, message: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise _invalid(field_name, message) from None
    if not number.is_finite():
        raise _invalid(field_name, message)
    return number


@transaction.atomic
def campaign_create(
    *,
    actor,
    questionnaire: Questionnaire,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    projects,
    margin_of_error: float | Decimal = 0.05,
    confidence: float | Decimal = 0.95,
    by_building: bool = True,
) -> Campaign:
    """Create a draft wave with its sampling plan (one ``Stratum`` per project or building)."""
    require_perm(actor, "surveys.add_campaign")
    name = (name or "").strip()
    if not name:
        raise _invalid("name", _("Give the survey wave a name."))
    if starts_on is None or ends_on is None:
        raise _invalid("ends_on", _("Give the start and end dates."))
    if ends_on < starts_on:
        raise _invalid("ends_on", _("The end date must not be before the start date."))
    margin_message = _("The margin of error must be between 1% and 20%.")
    margin = _decimal(margin_of_error, "margin_of_error", margin_message)
    if not MARGIN_RANGE[0] <= margin <= MARGIN_RANGE[1]:
        raise _invalid("margin_of_error", margin_message)
    confidence_message = _("The confidence level must be between 80% and 99.9%.")
    level = _decimal(confidence, "confidence", confidence_message)
    if not CONFIDENCE_RANGE[0] <= level <= CONFIDENCE_RANGE[1]:
        raise _invalid("confidence", confidence_message)
    projects = list(projects or [])
    if not projects:
        raise _invalid("projects", _("Choose at least one project."))
    for project in projects:
        require_project_in_scope(actor, project)
    company_id = projects[0].company_id
    if any(project.company_id != company_id for project in projects):
        raise _invalid("projects", _("Choose projects of one company."))
    if (
        questionnaire is None
        or questionnaire.company_id != company_id
        or questionnaire.status != Questionnaire.Status.PUBLISHED
    ):
        raise _invalid("questionnaire", _("Choose a published questionnaire of your company."))
    if questionnaire.kind != Questionnaire.Kind.RELATIONSHIP:
        raise _invalid(
            "questionnaire",
            _("A survey wave needs a relationship questionnaire, not an after-service survey."),
        )
    populations = _populations(projects, by_building=by_building)
    empty = [project.name for project in projects if project.id not in populations]
    if empty:
        raise _invalid(
            "projects",
            _("Project “%(project)s” has no current households to survey.") % {"project": empty[0]},
        )
    campaign = Campaign.objects.create(
        company_id=company_id,
        questionnaire=questionnaire,
        name=name[:100],
        starts_on=starts_on,
        ends_on=ends_on,
        margin_of_error=margin,
        confidence=level,
    )
    campaign.projects.set(projects)
    Stratum.objects.bulk_create(
        [
            Stratum(
                campaign=campaign,
                project_id=project_id,
                building_id=building_id,
                population=population,
                target=sample_size(float(margin), population=population, confidence=float(level)),
            )
            for project_id, cells in populations.items()
            for building_id, population in cells.items()
        ]
    )
    return campaign


def _populations(projects: list[Project], *, by_building: bool) -> dict[int, dict]:
    """{project id: {building id or None: current households}}, non-empty cells only."""
    rows = (
        Household.objects.filter(project__in=projects, is_current=True)
        .values_list("project_id", "unit__building_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    cells: dict[int, dict] = defaultdict(dict)
    for project_id, building_id, count in rows:
        key = building_id if by_building else None
        cells[project_id][key] = cells[project_id].get(key, 0) + count
    return cells


def strata_in_scope(campaign: Campaign, user):
    """The campaign's strata the user may see (a project manager: their projects only)."""
    strata = campaign.strata.select_related("project", "building").order_by(
        "project__name", "building__name"
    )
    if user is None:
        return strata
    # Stratum has no company column (no scope_company_path): scope through its project.
    return strata.filter(project__in=visible(Project.objects.all(), user))


# --- progress ----------------------------------------------------------------------


@dataclass(frozen=True)
class StratumProgress:
    stratum: Stratum
    population: int
    target: int
    invited: int
    responses: int
    margin: float | None  # the ±margin the responses so far achieve (FPC), None without any
    weight: float | None = None  # the stored post-stratification weight (closed waves)

    @property
    def share(self) -> float:
        """Responses as a share of the target (may pass 1)."""
        return self.responses / self.target if self.target else 0.0

    @property
    def percent(self) -> int:
        return min(100, math.floor(self.share * 100))

    @property
    def reached(self) -> bool:
        return self.responses >= self.target

    @property
    def margin_percent(self) -> float | None:
        return None if self.margin is None else self.margin * 100

    @property
    def response_rate(self) -> float | None:
        return self.responses / self.invited if self.invited else None


@dataclass(frozen=True)
class CampaignProgress:
    campaign: Campaign
    strata: list[StratumProgress] = field(default_factory=list)

    @property
    def population(self) -> int:
        return sum(row.population for row in self.strata)

    @property
    def target(self) -> int:
        return sum(row.target for row in self.strata)

    @property
    def invited(self) -> int:
        return sum(row.invited for row in self.strata)

    @property
    def responses(self) -> int:
        return sum(row.responses for row in self.strata)

    @property
    def share(self) -> float:
        return self.responses / self.target if self.target else 0.0

    @property
    def percent(self) -> int:
        return min(100, math.floor(self.share * 100))

    @property
    def strata_reached(self) -> int:
        return sum(1 for row in self.strata if row.reached)


def campaign_progress(campaign: Campaign, *, user=None) -> CampaignProgress:
    """Per stratum: population, target, invitations, responses (submitted, not excluded)
    and the share of the target reached. With ``user``, only the strata in their scope."""
    strata = list(strata_in_scope(campaign, user))
    counts: Counter = Counter()
    weight_sums: Counter = Counter()
    for project_id, building_id, n, total_weight in (
        Response.objects.filter(campaign=campaign, submitted_at__isnull=False, excluded=False)
        .values_list("project_id", "building_id")
        .annotate(n=Count("id"), w=Sum("weight"))
        .order_by()
    ):
        keys = [(project_id, building_id)]
        if building_id is not None:
            keys.append((project_id, None))
        for key in keys:
            counts[key] += n
            weight_sums[key] += total_weight or 0.0
    invited = dict(
        Invitation.objects.filter(campaign=campaign)
        .values_list("stratum_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    confidence = float(campaign.confidence)
    closed = campaign.status == Campaign.Status.CLOSED
    rows = []
    for stratum in strata:
        key = (stratum.project_id, stratum.building_id)
        responses = counts[key]
        margin = None
        if responses:
            margin = margin_of_error(
                min(responses, stratum.population),
                population=stratum.population,
                confidence=confidence,
            )
        rows.append(
            StratumProgress(
                stratum=stratum,
                population=stratum.population,
                target=stratum.target,
                invited=invited.get(stratum.id, 0),
                responses=responses,
                margin=margin,
                weight=weight_sums[key] / responses if closed and responses else None,
            )
        )
    return CampaignProgress(campaign=campaign, strata=rows)


# --- weights -----------------------------------------------------------------------


@dataclass(frozen=True)
class WeightsResult:
    weighted: int  # responses that received a stratum weight
    cells: dict[str, float]  # cell label → weight
    pooled_projects: list[str]  # projects whose buildings were pooled (an empty building)
    dropped_projects: list[str]  # projects without any respondent
    unmatched: int  # responses outside every stratum (weight 1)


def campaign_weights_apply(campaign: Campaign) -> WeightsResult:
    """Store each submitted response's post-stratification weight (recomputable: run again
    after responses are excluded or restored). Excluded responses get weight 1."""
    with transaction.atomic():
        return _weights_apply(campaign)


def _weights_apply(campaign: Campaign) -> WeightsResult:
    """Cells: a building stratum, or the whole project (project strata, or a project whose
    buildings are pooled). One count query, then one UPDATE per cell."""
    strata = list(campaign.strata.select_related("project"))
    submitted = Response.objects.filter(campaign=campaign, submitted_at__isnull=False)
    counts = {
        (project_id, building_id): n
        for project_id, building_id, n in submitted.filter(excluded=False)
        .values_list("project_id", "building_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    by_project: dict[int, list[Stratum]] = defaultdict(list)
    for stratum in strata:
        by_project[stratum.project_id].append(stratum)
    names = {s.project_id: s.project.name for s in strata}

    population: dict[tuple, int] = {}  # cell (project id, building id or None) → N_h
    sample: dict[tuple, int] = {}  # cell → n_h
    pooled, dropped = [], []
    for project_id, cells in by_project.items():
        in_project = sum(n for (p, _b), n in counts.items() if p == project_id)
        if in_project == 0:
            dropped.append(names[project_id])
            continue
        buildings = {s.building_id: s.population for s in cells if s.building_id is not None}
        if buildings and all(counts.get((project_id, b), 0) > 0 for b in buildings):
            for building_id, size in buildings.items():
                population[(project_id, building_id)] = size
                sample[(project_id, building_id)] = counts[(project_id, building_id)]
            continue
        if buildings:
            matched = sum(counts.get((project_id, b), 0) for b in buildings)
            if matched == 0:  # answers only from buildings outside the plan
                dropped.append(names[project_id])
                continue
            pooled.append(names[project_id])
        else:
            matched = in_project
        population[(project_id, None)] = sum(s.population for s in cells)
        sample[(project_id, None)] = matched
    weights = (
        poststratification_weights({cell: float(size) for cell, size in population.items()}, sample)
        if sample
        else {}
    )
    submitted.update(weight=1.0)
    for (project_id, building_id), weight in weights.items():
        cell = submitted.filter(excluded=False, project_id=project_id)
        if building_id is not None:
            cell = cell.filter(building_id=building_id)
        elif by_project[project_id][0].building_id is not None:  # pooled buildings
            cell = cell.filter(building_id__in=[s.building_id for s in by_project[project_id]])
        cell.update(weight=weight)
    rollups.mark_responses(submitted)
    weighted = sum(sample.values())
    return WeightsResult(
        weighted=weighted,
        cells={f"{p}:{b or ''}": w for (p, b), w in weights.items()},
        pooled_projects=sorted(pooled),
        dropped_projects=sorted(dropped),
        unmatched=sum(counts.values()) - weighted,
    )


@transaction.atomic
def campaign_close(*, actor, campaign: Campaign) -> WeightsResult:
    """Close the wave (its links stop working) and store the weights. ``actor`` None: the
    clock closing a wave after its end date."""
    if actor is not None:
        require_perm(actor, "surveys.change_campaign")
        _require_campaign_scope(actor, campaign)
    given, campaign = campaign, Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.CLOSED:
        campaign.status = Campaign.Status.CLOSED
        campaign.save(update_fields=["status"])
    given.status = campaign.status
    return _weights_apply(campaign)


def _require_campaign_scope(actor, campaign: Campaign) -> None:
    """Whole-campaign actions need every project of the campaign in the actor's scope."""
    for project in campaign.projects.all():
        require_project_in_scope(actor, project)


# --- invitations -------------------------------------------------------------------


@dataclass(frozen=True)
class IssueResult:
    created: int
    already: int  # invitations that existed before (not issued again)


def _eligible_households(stratum: Stratum) -> list[int]:
    """Current households of the stratum, except those whose members all declined surveys."""
    households = Household.objects.filter(project_id=stratum.project_id, is_current=True)
    if stratum.building_id is not None:
        households = households.filter(unit__building_id=stratum.building_id)
    households = households.annotate(
        member_count=Count("memberships"),
        consenting=Count("memberships", filter=Q(memberships__owner__consent_survey=True)),
    ).filter(Q(member_count=0) | Q(consenting__gt=0))
    return list(households.order_by("id").values_list("id", flat=True))


@transaction.atomic
def invitations_issue(
    *,
    actor,
    campaign: Campaign,
    stratum: Stratum | None = None,
    expires_in_days: int = 30,
    everyone: bool = False,
    oversampling: float = OVERSAMPLING,
    now: dt.datetime | None = None,
) -> IssueResult:
    """Invite the households of the campaign's strata in the actor's scope (or of one
    ``stratum``): all of them with ``everyone``, else a random sample of
    ⌈target × oversampling⌉ per stratum (see the module notes). Idempotent."""
    require_perm(actor, "surveys.add_invitation")
    given, campaign = campaign, Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == Campaign.Status.CLOSED:
        raise DomainError(
            "closed", _("This survey wave is closed; no more invitations."), status=409
        )
    try:
        days = int(expires_in_days)
    except (TypeError, ValueError):
        days = 0
    if not EXPIRY_DAYS_RANGE[0] <= days <= EXPIRY_DAYS_RANGE[1]:
        raise _invalid("expires_in_days", _("Links may stay valid for 1 to 90 days."))
    if not oversampling or float(oversampling) < 1:
        raise _invalid("oversampling", _("The over-sampling factor must be at least 1."))
    if stratum is not None:
        if stratum.campaign_id != campaign.id:
            raise DomainError("not_found", _("Not found."), status=404)
        require_project_in_scope(actor, stratum.project)
        strata = [stratum]
    else:
        strata = list(strata_in_scope(campaign, actor))
        if not strata:
            raise DomainError("not_found", _("Not found."), status=404)
    now = now or timezone.now()
    expires_at = now + dt.timedelta(days=days)
    invited = set(
        Invitation.objects.filter(campaign=campaign).values_list("household_id", flat=True)
    )
    per_stratum = dict(
        Invitation.objects.filter(campaign=campaign)
        .values_list("stratum_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    rng = random.SystemRandom()
    new: list[Invitation] = []
    already = 0
    for cell in strata:
        eligible = _eligible_households(cell)
        quota = len(eligible)
        if not everyone:
            quota = min(quota, math.ceil(cell.target * float(oversampling) - 1e-9))
        have = per_stratum.get(cell.id, 0)
        already += have
        candidates = [household for household in eligible if household not in invited]
        needed = min(max(quota - have, 0), len(candidates))
        for household_id in sorted(rng.sample(candidates, needed)):
            invited.add(household_id)
            new.append(
                Invitation(
                    company_id=campaign.company_id,
                    questionnaire_id=campaign.questionnaire_id,
                    campaign=campaign,
                    stratum=cell,
                    household_id=household_id,
                    project_id=cell.project_id,
                    expires_at=expires_at,
                )
            )
    Invitation.objects.bulk_create(new, batch_size=1000)
    if campaign.status == Campaign.Status.DRAFT:
        campaign.status = Campaign.Status.OPEN
        campaign.save(update_fields=["status"])
    given.status = campaign.status
    return IssueResult(created=len(new), already=already)


def survey_contact(household: Household):
    """Who receives a household's survey messages: the primary contact, else the first
    member; None when that person declined surveys (or nobody is registered)."""
    members = sorted(household.memberships.all(), key=lambda m: (not m.is_primary_contact, m.pk))
    if not members:
        return None
    owner = members[0].owner
    return owner if owner.consent_survey else None


def _recipient(owner) -> Recipient:
    return Recipient(
        label=owner.name, user=owner.user if owner.user_id else None, phone=owner.phone
    )


def invitations_due_for_reminder(
    campaign: Campaign, *, now: dt.datetime, min_age: dt.timedelta | None = None
):
    """Unanswered, unexpired invitations of the campaign last contacted at least
    ``REMIND_EVERY`` ago (or never), with fewer than ``MAX_REMINDERS`` reminders."""
    cutoff = now - REMIND_EVERY
    due = Invitation.objects.filter(
        campaign=campaign,
        completed_at__isnull=True,
        expires_at__gt=now,
        reminder_count__lt=MAX_REMINDERS,
    ).filter(
        Q(reminded_at__lte=cutoff)
        | Q(reminded_at__isnull=True, sent_at__isnull=True)
        | Q(reminded_at__isnull=True, sent_at__lte=cutoff)
    )
    if min_age is not None:
        due = due.filter(created_at__lte=now - min_age)
    return due


def invitations_remind(
    campaign: Campaign,
    *,
    actor=None,
    now: dt.datetime | None = None,
    min_age: dt.timedelta | None = None,
) -> int:
    """Remind the owners who have not answered yet (``notify`` with their link), at most
    once every 3 days and ``MAX_REMINDERS`` times per invitation; owners who declined
    surveys are skipped. With ``actor``, only invitations in their scope. Returns how many
    owners were reminded."""
    if actor is not None:
        require_perm(actor, "surveys.change_invitation")
    status = Campaign.objects.filter(pk=campaign.pk).values_list("status", flat=True).first()
    if status != Campaign.Status.OPEN:
        return 0
    now = now or timezone.now()
    reminded = 0
    with transaction.atomic():
        due = invitations_due_for_reminder(campaign, now=now, min_age=min_age)
        if actor is not None:
            due = visible(due, actor)
        due = (
            due.select_for_update(of=("self",))
            .prefetch_related(_members_prefetch())
            .select_related("household", "questionnaire")
        )
        changed = []
        for invitation in due:
            owner = survey_contact(invitation.household)
            if owner is None:
                continue
            owner_survey_notify(
                owner,
                event="survey_reminder",
                title=_("A reminder: %(survey)s") % {"survey": campaign.name},
                body=_(
                    "We have not heard from you yet. Your opinion helps us serve you better; "
                    "answering takes about a minute: %(link)s"
                )
                % {"link": answer_url(invitation)},
                link=answer_path(invitation),
            )
            invitation.reminded_at = now
            invitation.reminder_count += 1
            changed.append(invitation)
        Invitation.objects.bulk_update(changed, ["reminded_at", "reminder_count"], batch_size=1000)
        reminded = len(changed)
    return reminded


def _members_prefetch():
    from django.db.models import Prefetch

    return Prefetch(
        "household__memberships",
        queryset=HouseholdMember.objects.select_related("owner__user"),
    )


def owner_survey_notify(owner, *, event: str, title: str, body: str, link: str) -> None:
    """Message an owner about a survey after the transaction commits."""
    recipient = _recipient(owner)
    transaction.on_commit(
        lambda: notify(recipients=[recipient], event=event, title=title, body=body, link=link)
    )


# --- exports -----------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationRow:
    invitation: Invitation
    building: str
    unit: str
    contact: str
    phone: str
    status: str
    link: str


def invitation_rows(campaign: Campaign, *, user, base: str, building=None, pending_only=False):
    """The campaign's invitations the user may see, for sending: building, unit, primary
    contact, phone (masked unless the user may see personal data), status and link."""
    full = can_see_personal_data(user)
    invitations = (
        visible(Invitation.objects.filter(campaign=campaign), user)
        .select_related("household__unit__building")
        .prefetch_related(_members_prefetch())
        .order_by(
            "household__unit__building__name",
            "household__unit__entrance",
            "household__unit__number",
        )
    )
    if building is not None:
        invitations = invitations.filter(household__unit__building=building)
    if pending_only:
        invitations = invitations.filter(completed_at__isnull=True)
    now = timezone.now()
    for invitation in invitations.iterator(chunk_size=500):
        unit = invitation.household.unit
        members = sorted(
            invitation.household.memberships.all(), key=lambda m: (not m.is_primary_contact, m.pk)
        )
        owner = members[0].owner if members else None
        phone = owner.phone if owner else ""
        if invitation.completed_at is not None:
            status = _("answered")
        elif invitation.expires_at <= now:
            status = _("expired")
        else:
            status = _("waiting")
        yield InvitationRow(
            invitation=invitation,
            building=unit.building.name,
            unit=unit.label,
            contact=owner.name if owner else "",
            phone=phone if full else mask_phone(phone),
            status=status,
            link=answer_url(invitation, base=base),
        )


def campaigns_visible(user):
    return visible(Campaign.objects.all(), user).select_related("questionnaire")


def scope_allows_whole_campaign(user, campaign: Campaign) -> bool:
    scope = scope_for(user)
    if scope.everything or scope.project_ids is None:
        return scope.everything or campaign.company_id == scope.company_id
    return set(campaign.projects.values_list("id", flat=True)) <= scope.project_ids
