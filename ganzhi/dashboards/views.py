from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from ganzhi.core.errors import DomainError
from ganzhi.core.paging import paginate
from ganzhi.core.scoping import visible
from ganzhi.dashboards import pages, reports
from ganzhi.dashboards.models import MonthlyReport
from ganzhi.dashboards.panels import table_xlsx
from ganzhi.dashboards.selection import select
from ganzhi.org.models import Post
from ganzhi.surveys.models import Answer, IndicatorNode, Response
from ganzhi.surveys.scoring import SCORES_PERMISSION
from ganzhi.surveys.selectors import org_unit_choices

WORKORDERS_PERMISSION = "workorders.view_workorder"
CALLBACKS_PERMISSION = "surveys.view_callbacktask"

# page key → (tab label, permission needed)
TABS = {
    "overview": (_("Overview"), SCORES_PERMISSION),
    "servqual": ("SERVQUAL", SCORES_PERMISSION),
    "posts": (_("Posts"), SCORES_PERMISSION),
    "drivers": (_("Key drivers"), SCORES_PERMISSION),
    "workorders": (_("Work orders"), WORKORDERS_PERMISSION),
    "callbacks": (_("Call-backs"), CALLBACKS_PERMISSION),
}


def _build(key: str, selection, user) -> pages.Page:
    if key == "overview":
        return pages.overview_page(selection, workorders=user.has_perm(WORKORDERS_PERMISSION))
    if key == "servqual":
        return pages.servqual_page(selection)
    if key == "posts":
        return pages.posts_page(selection)
    if key == "drivers":
        return pages.drivers_page(selection)
    if key == "workorders":
        return pages.workorders_page(selection, user)
    return pages.callbacks_page(selection, user)


@login_required
@require_GET
def dashboard(request, page: str = "overview"):
    """A dashboard page; ``?download=<panel>`` gives that panel's table as .xlsx, and an
    htmx request gets the page body only (filters and drill-down swap it in place)."""
    if page not in TABS:
        raise Http404
    if not request.user.has_perm(TABS[page][1]):
        raise PermissionDenied
    tabs = [(key, label) for key, (label, perm) in TABS.items() if request.user.has_perm(perm)]
    try:
        selection = select(request.user, request.GET)
    except DomainError as error:
        context = {"error": error.message, "tabs": tabs, "page_key": page}
        return render(request, "dashboards/page.html", context, status=error.status)
    built = _build(page, selection, request.user)
    download = request.GET.get("download")
    if download:
        panel = built.panel(download)
        if panel is None:
            raise Http404
        post = f" · {selection.post.name}" if selection.post else ""
        subtitle = f"{selection.unit.name}{post} · {selection.period.label}"
        response = HttpResponse(
            table_xlsx(panel, subtitle),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"{panel.title}-{selection.unit.name}-{selection.period.label}.xlsx"
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["Cache-Control"] = "no-store"
        return response
    context = {
        "page": built,
        "page_key": page,
        "tabs": tabs,
        "sel": selection,
        "posts": Post.objects.filter(company_id=selection.unit.company_id).order_by(
            "sort_order", "name"
        ),
        "periods": _period_choices(selection),
    }
    template = "dashboards/_body.html" if request.htmx else "dashboards/page.html"
    return render(request, template, context)


def _period_choices(selection) -> list[tuple[str, str]]:
    year = int(selection.period.label[:4])
    choices = [(str(y), str(y)) for y in selection.years]
    if year not in selection.years:
        choices.insert(0, (str(year), str(year)))
    choices += [(f"{year}-Q{q}", f"{year}-Q{q}") for q in range(1, 5)]
    choices += [(f"{year}-{m:02d}", f"{year}-{m:02d}") for m in range(1, 13)]
    return choices


@login_required
@require_GET
def responses(request):
    """The responses behind a figure: the same unit, period and post (scoped, paginated)."""
    if not request.user.has_perm(SCORES_PERMISSION):
        raise PermissionDenied
    try:
        selection = select(request.user, request.GET)
    except DomainError as error:
        return render(
            request, "dashboards/responses.html", {"error": error.message}, status=error.status
        )
    unit, period = selection.unit, selection.period
    found = unit.narrow(visible(Response.objects.filter(excluded=False), request.user)).filter(
        submitted_at__gte=period.start, submitted_at__lt=period.end
    )
    if selection.post is not None:
        rated = Answer.objects.filter(
            response=OuterRef("pk"),
            question__indicator__level=IndicatorNode.Level.ITEM,
            question__indicator__post_id=selection.post.pk,
        )
        found = found.filter(Q(Exists(rated)) | Q(post_id=selection.post.pk))
    found = found.select_related("project", "questionnaire", "household__unit__building").order_by(
        "-submitted_at", "-pk"
    )
    context = {"sel": selection, "page_obj": paginate(request, found)}
    return render(request, "dashboards/responses.html", context)


@login_required
def report_list(request):
    """Monthly reports: ask for one (company or project, a month) and download them."""
    if not request.user.has_perm("dashboards.view_monthlyreport"):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            reports.request_report(
                user=request.user,
                org=request.POST.get("org", ""),
                month=request.POST.get("month", ""),
                email=request.POST.get("email") == "1",
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request, _("The report is being prepared; it appears below when ready.")
            )
            return redirect(reverse("dashboards:reports") + "?" + request.GET.urlencode())
    found = visible(MonthlyReport.objects.select_related("company", "project"), request.user)
    units = [u for u in org_unit_choices(user=request.user) if u.kind != "region"]
    context = {
        "page_obj": paginate(request, found),
        "units": units,
        "chosen": request.GET.get("org", ""),
        "months": [f"{m:%Y-%m}" for m in reports.months_with_data(request.user.company_id)],
        "error": error,
        "can_request": request.user.has_perm(reports.REPORT_PERMISSION),
        "busy": found.filter(
            status__in=[MonthlyReport.Status.QUEUED, MonthlyReport.Status.RUNNING]
        ).exists(),
    }
    template = "dashboards/_reports_table.html" if request.htmx else "dashboards/reports.html"
    return render(request, template, context, status=422 if error else 200)


@login_required
@require_GET
def report_file(request, public_id, kind: str):
    if not request.user.has_perm("dashboards.view_monthlyreport"):
        raise PermissionDenied
    report = get_object_or_404(
        visible(MonthlyReport.objects.all(), request.user), public_id=public_id
    )
    file = report.pdf if kind == "pdf" else report.xlsx
    if report.status != MonthlyReport.Status.DONE or not file:
        raise Http404
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=file.name.rsplit("/", 1)[-1]
    )
    response["Cache-Control"] = "no-store"
    return response
