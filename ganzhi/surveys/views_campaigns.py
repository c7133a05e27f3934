"""Staff pages for survey waves: list, create, progress by stratum (live), invitations
(issue, export for SMS / WeChat, printable QR codes per building), reminders, closing.

Every campaign is looked up through the scope (another project's wave answers 404);
a manager sees and acts on the strata of their own projects only.
"""

import csv
import datetime as dt
import io

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ganzhi.core.errors import DomainError
from ganzhi.core.forms import Form
from ganzhi.core.paging import paginate
from ganzhi.core.scoping import get_visible_or_404, visible
from ganzhi.org.models import Building, Project
from ganzhi.surveys import campaigns as services
from ganzhi.surveys.models import Campaign, Invitation, Questionnaire, Response, Stratum

view_required = permission_required("surveys.view_campaign", raise_exception=True)
POLL_SECONDS = 5


# --- forms -------------------------------------------------------------------------


class CampaignForm(Form):
    name = forms.CharField(label=gettext_lazy("Name of the wave"), max_length=100)
    questionnaire = forms.ModelChoiceField(
        label=gettext_lazy("Questionnaire"),
        queryset=Questionnaire.objects.none(),
        to_field_name="public_id",
    )
    projects = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Projects"),
        queryset=Project.objects.none(),
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Starts on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Ends on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    margin_percent = forms.DecimalField(
        label=gettext_lazy("Margin of error (±%)"),
        initial=5,
        min_value=1,
        max_value=20,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
    confidence = forms.TypedChoiceField(
        label=gettext_lazy("Confidence level"),
        choices=[("0.90", "90%"), ("0.95", "95%"), ("0.99", "99%")],
        initial="0.95",
        coerce=str,
    )
    by_building = forms.BooleanField(
        label=gettext_lazy("Sample every building on its own (building-level scores)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = visible(
            Questionnaire.objects.filter(
                status=Questionnaire.Status.PUBLISHED, kind=Questionnaire.Kind.RELATIONSHIP
            ),
            user,
        )
        self.fields["projects"].queryset = visible(
            Project.objects.filter(is_active=True), user
        ).order_by("name")
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("starts_on", today)
            self.initial.setdefault("ends_on", today + dt.timedelta(days=30))


class IssueForm(Form):
    stratum = forms.ChoiceField(label=gettext_lazy("Households of"), required=False)
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Links valid for (days)"), initial=30, min_value=1, max_value=90
    )
    everyone = forms.BooleanField(
        label=gettext_lazy("Invite every household (census), not a sample"), required=False
    )
    oversampling = forms.DecimalField(
        label=gettext_lazy("Over-sampling factor (1 / expected response rate)"),
        initial=2.5,
        min_value=1,
        max_value=10,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )

    def __init__(self, *args, strata, **kwargs):
        super().__init__(*args, **kwargs)
        self.strata = {str(s.id): s for s in strata}
        self.fields["stratum"].choices = [("", _("All strata in your scope"))] + [
            (str(s.id), str(s)) for s in strata
        ]


# --- helpers -----------------------------------------------------------------------


def _campaign(request, public_id) -> Campaign:
    return get_visible_or_404(
        Campaign.objects.select_related("questionnaire"), request.user, public_id=public_id
    )


def _base(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _error(request, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    text = " ".join(str(m) for messages_ in details.values() for m in messages_)
    messages.error(request, text or exc.message)


# --- list and create ---------------------------------------------------------------


@login_required
@view_required
def campaign_list(request):
    targets = (
        Stratum.objects.filter(campaign=OuterRef("pk"))
        .values("campaign")
        .annotate(total=Sum("target"))
        .values("total")
    )
    answered = (
        Response.objects.filter(campaign=OuterRef("pk"), submitted_at__isnull=False, excluded=False)
        .values("campaign")
        .annotate(total=Count("id"))
        .values("total")
    )
    campaigns = services.campaigns_visible(request.user).annotate(
        target_total=Coalesce(Subquery(targets, output_field=IntegerField()), 0),
        responses_total=Coalesce(Subquery(answered, output_field=IntegerField()), 0),
        project_count=Count("projects", distinct=True),
    )
    status = request.GET.get("status", "")
    if status in Campaign.Status.values:
        campaigns = campaigns.filter(status=status)
    context = {
        "page_obj": paginate(request, campaigns.order_by("-starts_on", "-id")),
        "status": status,
        "statuses": Campaign.Status.choices,
        "can_create": request.user.has_perm("surveys.add_campaign"),
    }
    return render(request, "surveys/campaign_list.html", context)


@login_required
@permission_required("surveys.add_campaign", raise_exception=True)
def campaign_create(request):
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                actor=request.user,
                questionnaire=data["questionnaire"],
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                projects=list(data["projects"]),
                margin_of_error=data["margin_percent"] / 100,
                confidence=data["confidence"],
                by_building=data["by_building"],
            )
        except DomainError as exc:
            details = exc.details if isinstance(exc.details, dict) else {}
            for field_name, errors in details.items():
                target = "margin_percent" if field_name == "margin_of_error" else field_name
                for error in errors:
                    form.add_error(target if target in form.fields else None, error)
            if not details:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("The survey wave and its sampling plan are ready."))
            return redirect("surveys:campaign_detail", public_id=campaign.public_id)
    return render(request, "surveys/campaign_form.html", {"form": form})


# --- detail and live progress ------------------------------------------------------


def _progress_context(request, campaign: Campaign) -> dict:
    return {
        "campaign": campaign,
        "progress": services.campaign_progress(campaign, user=request.user),
        "poll_seconds": POLL_SECONDS if campaign.status == Campaign.Status.OPEN else None,
    }


@login_required
@view_required
def campaign_detail(request, public_id):
    campaign = _campaign(request, public_id)
    context = _progress_context(request, campaign)
    strata = [row.stratum for row in context["progress"].strata]
    context.update(
        {
            "margin_percent": float(campaign.margin_of_error) * 100,
            "confidence_percent": float(campaign.confidence) * 100,
            "projects": campaign.projects.order_by("name"),
            "issue_form": IssueForm(strata=strata),
            "can_issue": request.user.has_perm("surveys.add_invitation")
            and campaign.status != Campaign.Status.CLOSED,
            "can_export": request.user.has_perm("surveys.add_invitation"),
            "can_remind": request.user.has_perm("surveys.change_invitation")
            and campaign.status == Campaign.Status.OPEN,
            "can_close": request.user.has_perm("surveys.change_campaign")
            and services.scope_allows_whole_campaign(request.user, campaign),
            "due_reminders": services.invitations_due_for_reminder(campaign, now=timezone.now())
            .filter(pk__in=visible(Invitation.objects.filter(campaign=campaign), request.user))
            .count()
            if campaign.status == Campaign.Status.OPEN
            else 0,
        }
    )
    return render(request, "surveys/campaign_detail.html", context)


@login_required
@view_required
def campaign_progress(request, public_id):
    """The progress table alone (htmx polls it while the wave is open)."""
    campaign = _campaign(request, public_id)
    return render(request, "surveys/campaign_progress.html", _progress_context(request, campaign))


# --- actions -----------------------------------------------------------------------


@require_POST
@login_required
@permission_required("surveys.add_invitation", raise_exception=True)
def campaign_issue(request, public_id):
    campaign = _campaign(request, public_id)
    strata = list(services.strata_in_scope(campaign, request.user))
    form = IssueForm(request.POST, strata=strata)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("surveys:campaign_detail", public_id=campaign.public_id)
    data = form.cleaned_data
    try:
        result = services.invitations_issue(
            actor=request.user,
            campaign=campaign,
            stratum=form.strata.get(data["stratum"]) if data["stratum"] else None,
            expires_in_days=data["expires_in_days"],
            everyone=data["everyone"],
            oversampling=float(data["oversampling"]),
        )
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(
            request,
            _("%(created)d invitations issued (%(already)d existed already).")
            % {"created": result.created, "already": result.already},
        )
    return redirect("surveys:campaign_detail", public_id=campaign.public_id)


@require_POST
@login_required
@permission_required("surveys.change_invitation", raise_exception=True)
def campaign_remind(request, public_id):
    campaign = _campaign(request, public_id)
    count = services.invitations_remind(campaign, actor=request.user)
    messages.success(request, _("%(count)d owners were reminded.") % {"count": count})
    return redirect("surveys:campaign_detail", public_id=campaign.public_id)


@require_POST
@login_required
@permission_required("surveys.change_campaign", raise_exception=True)
def campaign_close(request, public_id):
    campaign = _campaign(request, public_id)
    try:
        result = services.campaign_close(actor=request.user, campaign=campaign)
    except DomainError as exc:
        _error(request, exc)
    else:
        _weights_message(request, result, _("The survey wave is closed."))
    return redirect("surveys:campaign_detail", public_id=campaign.public_id)


@require_POST
@login_required
@permission_required("surveys.change_campaign", raise_exception=True)
def campaign_weights(request, public_id):
    campaign = _campaign(request, public_id)
    if not services.scope_allows_whole_campaign(request.user, campaign):
        raise Http404
    result = services.campaign_weights_apply(campaign)
    _weights_message(request, result, _("The weights were computed again."))
    return redirect("surveys:campaign_detail", public_id=campaign.public_id)


def _weights_message(request, result, first: str) -> None:
    text = first + " " + _("%(count)d responses weighted.") % {"count": result.weighted}
    if result.pooled_projects:
        text += " " + _("Buildings pooled (a building had no answers): %(projects)s.") % {
            "projects": "、".join(result.pooled_projects)
        }
    if result.dropped_projects:
        text += " " + _("No answers at all, left out: %(projects)s.") % {
            "projects": "、".join(result.dropped_projects)
        }
    messages.success(request, text)


# --- exports -----------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """Text that a spreadsheet will not run as a formula."""
    value = str(value or "")
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _building_filter(request, campaign: Campaign):
    public_id = request.GET.get("building")
    if not public_id:
        return None
    return get_visible_or_404(
        Building.objects.filter(project__in=campaign.projects.all()),
        request.user,
        public_id=public_id,
    )


@login_required
@permission_required("surveys.add_invitation", raise_exception=True)
def campaign_export(request, public_id):
    """The invitation list for SMS / WeChat sending, as CSV (Excel-friendly UTF-8) or .xlsx."""
    campaign = _campaign(request, public_id)
    building = _building_filter(request, campaign)
    rows = services.invitation_rows(
        campaign,
        user=request.user,
        base=_base(request),
        building=building,
        pending_only=request.GET.get("pending") == "1",
    )
    header = [
        _("Building"),
        _("Unit"),
        _("Primary contact"),
        _("Mobile phone"),
        _("Status"),
        _("Survey link"),
    ]

    def values(row):
        return [row.building, row.unit, row.contact, row.phone, row.status, row.link]

    stamp = timezone.localdate().isoformat()
    if request.GET.get("format") == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Invitations"))
        sheet.append(header)
        for row in rows:
            sheet.append([_cell(v) for v in values(row)])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"{campaign.name}-{stamp}.xlsx"
    else:
        text = io.StringIO()
        text.write("\ufeff")  # Excel reads UTF-8 with a BOM
        writer = csv.writer(text)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(v) for v in values(row)])
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
        filename = f"{campaign.name}-{stamp}.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def qr_svg(url: str) -> str:
    """An inline SVG QR code (made on the server: no CDN, no script)."""
    return mark_safe(segno.make(url, error="m").svg_inline(omitsize=True, svgclass="qr"))


@login_required
@permission_required("surveys.add_invitation", raise_exception=True)
def campaign_qr(request, public_id):
    """Without ``building``: the buildings to print for. With it: one printable card per
    unanswered, unexpired invitation of that building (for letterboxes or doors)."""
    campaign = _campaign(request, public_id)
    building = _building_filter(request, campaign)
    invitations = visible(Invitation.objects.filter(campaign=campaign), request.user)
    if building is None:
        buildings = (
            invitations.filter(completed_at__isnull=True, expires_at__gt=timezone.now())
            .values(
                "household__unit__building__public_id",
                "household__unit__building__name",
                "project__name",
            )
            .annotate(n=Count("id"))
            .order_by("project__name", "household__unit__building__name")
        )
        return render(
            request,
            "surveys/campaign_qr_buildings.html",
            {"campaign": campaign, "buildings": buildings},
        )
    cards = [
        {"row": row, "svg": qr_svg(row.link)}
        for row in services.invitation_rows(
            campaign, user=request.user, base=_base(request), building=building, pending_only=True
        )
        if row.invitation.expires_at > timezone.now()
    ]
    return render(
        request,
        "surveys/campaign_qr.html",
        {"campaign": campaign, "building": building, "cards": cards},
    )
