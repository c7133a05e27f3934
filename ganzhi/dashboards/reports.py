"""The monthly quality report (月度品质报告) of a company or a project.

Requested in the UI, rendered by the worker into an .xlsx workbook and a PDF with the
same content. The figures come from the dashboard pages themselves (same builders, same
rollups), so the report and the dashboards cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ganzhi.core.errors import DomainError
from ganzhi.core.periods import months_back, parse_period, previous_period
from ganzhi.core.services import require_perm
from ganzhi.dashboards import pages
from ganzhi.dashboards.models import MonthlyReport
from ganzhi.dashboards.panels import Panel
from ganzhi.dashboards.selection import Selection
from ganzhi.org.models import Company, Project
from ganzhi.reports import documents
from ganzhi.surveys.scoring import OrgUnit, resolve_org_unit

log = logging.getLogger(__name__)
REPORT_PERMISSION = "dashboards.add_monthlyreport"


# --- requesting ---------------------------------------------------------------------------


@transaction.atomic
def request_report(*, user, org: str, month: str, email: bool = False) -> MonthlyReport:
    """Queue the report of a company or project for a month ("2026-10"). Out-of-scope
    units 404; a region, a malformed or a future month is DomainError (422)."""
    from ganzhi.dashboards.tasks import render_report_task

    require_perm(user, REPORT_PERMISSION)
    unit = resolve_org_unit(user, org)
    if unit.kind == "region":
        raise DomainError(
            "report_unit",
            _("Monthly reports are made for the company or for a project."),
            status=422,
        )
    period = parse_period(month)
    if "-" not in period.label or "Q" in period.label:
        raise DomainError(
            "report_month",
            _("Choose a month, e.g. 2026-10."),
            details={"month": [month]},
            status=422,
        )
    if period.start > timezone.now():
        raise DomainError("report_month", _("That month has not started yet."), status=422)
    if email and not user.email:
        raise DomainError(
            "report_email",
            _("Your account has no email address to send the report to."),
            status=422,
        )
    report = MonthlyReport.objects.create(
        company_id=unit.company_id,
        project=unit.obj if unit.kind == "project" else None,
        month=period.start.date(),
        requested_by=user,
        email_to=user.email if email else "",
    )
    transaction.on_commit(lambda: render_report_task.enqueue(report.pk))
    return report


# --- rendering (the worker) ----------------------------------------------------------------


def render_report(report_id: int) -> MonthlyReport:
    report = MonthlyReport.objects.select_related("company", "project", "requested_by").get(
        pk=report_id
    )
    _progress(report, MonthlyReport.Status.RUNNING, 5)
    try:
        with override("zh-hans"):
            document = build_document(report)
            _progress(report, MonthlyReport.Status.RUNNING, 60)
            name = _file_name(report)
            report.xlsx.save(
                f"{name}.xlsx", ContentFile(documents.render_xlsx(document)), save=False
            )
            _progress(report, MonthlyReport.Status.RUNNING, 75)
            report.pdf.save(f"{name}.pdf", ContentFile(documents.render_pdf(document)), save=False)
            report.status = MonthlyReport.Status.DONE
            report.progress = 100
            report.finished_at = timezone.now()
            report.save()
            if report.email_to:
                _send(report, document)
    except Exception as error:  # the job records why it failed instead of dying silently
        log.exception("monthly report %s failed", report.pk)
        MonthlyReport.objects.filter(pk=report.pk).update(
            status=MonthlyReport.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    return report


def _progress(report: MonthlyReport, status: str, percent: int) -> None:
    report.status, report.progress = status, percent
    MonthlyReport.objects.filter(pk=report.pk).update(status=status, progress=percent)


def _file_name(report: MonthlyReport) -> str:
    return f"{report.project or report.company}-{report.month:%Y-%m}-月度品质报告"


def _send(report: MonthlyReport, document: documents.Document) -> None:
    message = EmailMessage(
        subject=document.title,
        body=_("The monthly quality report is attached (PDF and Excel)."),
        to=[report.email_to],
    )
    report.pdf.open("rb")
    message.attach(f"{_file_name(report)}.pdf", report.pdf.read(), "application/pdf")
    report.pdf.close()
    report.xlsx.open("rb")
    message.attach(
        f"{_file_name(report)}.xlsx",
        report.xlsx.read(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    report.xlsx.close()
    message.send()


def report_selection(report: MonthlyReport) -> Selection:
    unit = (
        OrgUnit(
            "project",
            Project.objects.select_related("region", "company").get(pk=report.project_id),
            report.company_id,
        )
        if report.project_id
        else OrgUnit("company", Company.objects.get(pk=report.company_id), report.company_id)
    )
    period = parse_period(f"{report.month:%Y-%m}")
    return Selection(
        unit=unit,
        period=period,
        post=None,
        previous=previous_period(period),
        trend=months_back(report.month, 12),
        years=[report.month.year],
    )


def build_document(report: MonthlyReport) -> documents.Document:
    """The report's content: the month's figures and changes beyond noise, trends, posts and
    dimensions, key drivers (year to date), promises, complaints and open actions."""
    sel = report_selection(report)
    user = report.requested_by
    overview = pages.overview_page(sel, workorders=True)
    year_to_date = Selection(
        unit=sel.unit,
        period=parse_period(str(report.month.year)),
        post=None,
        previous=parse_period(str(report.month.year - 1)),
        trend=sel.trend,
        years=sel.years,
    )
    servqual = pages.servqual_page(sel)
    league = pages.posts_page(sel)
    drivers = pages.drivers_page(year_to_date)
    orders = pages.workorders_page(sel, user)
    callbacks = pages.callbacks_page(sel, user)
    marks = {"up": _("▲ better, beyond noise"), "down": _("▼ worse, beyond noise")}
    kpi_rows = [
        [
            k.label,
            k.value,
            k.detail,
            marks.get(k.mark, _("no real change") if k.mark == "" else ""),
            k.target,
        ]
        for k in overview.kpis + orders.kpis[2:4]
    ]
    changes = [
        f"{k.label}：{k.value}（{marks[k.mark]}）"
        for k in overview.kpis + orders.kpis
        if k.mark in marks
    ]
    sections = [
        documents.Section(
            _("This month at a glance"),
            paragraphs=[
                _(
                    "Compared with %(previous)s. A change is called out only when it is "
                    "beyond noise (95%%)."
                )
                % {"previous": sel.previous.label},
                *(changes or [_("No change this month is beyond noise.")]),
                *overview.notes,
            ],
            tables=[
                documents.Table(
                    _("Key figures"),
                    [_("Figure"), _("Value"), _("Interval and sample"), _("Change"), _("Goal")],
                    kpi_rows,
                )
            ],
        ),
        _section(_("Satisfaction over twelve months"), overview.panel("trend")),
        _section(_("Posts"), league.panel("league")),
        _section(_("The five dimensions"), servqual.panel("radar"), servqual.panel("gap")),
        _section(
            _("Key drivers (year to date)"),
            drivers.panel("quadrant"),
            drivers.panel("fix_first"),
            paragraphs=drivers.notes,
        ),
        _section(_("Work orders and promises"), orders.panel("sla"), orders.panel("categories")),
        _section(
            _("Complaints"), orders.panel("complaints"), top_complaints(orders.panel("categories"))
        ),
        _section(
            _("Open actions"),
            orders.panel("oldest"),
            callbacks.panel("loop"),
            paragraphs=[f"{k.label}：{k.value}" for k in callbacks.kpis[:2]],
        ),
    ]
    as_of = overview.as_of
    return documents.Document(
        title=_("Monthly quality report · %(unit)s · %(month)s")
        % {"unit": sel.unit.name, "month": f"{report.month:%Y-%m}"},
        subtitle=_("Owner satisfaction, promises and complaints of %(month)s")
        % {"month": f"{report.month:%Y年%m月}"},
        as_of=timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M") if as_of else "—",
        sections=sections,
    )


def top_complaints(categories: Panel | None) -> Panel | None:
    """The complaint categories of the month, largest first (top ten)."""
    if categories is None:
        return None
    complaint = _("Complaint")
    rows = [row for row in categories.table.rows if row[1].shown == complaint][:10]
    return Panel(
        "top_complaints",
        _("Top complaint categories"),
        type(categories.table)(categories.table.columns, rows),
    )


def _section(
    title: str, *panels: Panel | None, paragraphs: list[str] | None = None
) -> documents.Section:
    tables, charts, notes = [], [], list(paragraphs or [])
    for panel in panels:
        if panel is None:
            continue
        tables.append(
            documents.Table(
                panel.title,
                [str(c) for c in panel.table.columns],
                [[cell.shown for cell in row] for row in panel.table.rows],
                note=panel.note,
            )
        )
        chart = chart_of(panel)
        if chart is not None:
            charts.append(chart)
    return documents.Section(title, paragraphs=notes, charts=charts, tables=tables)


def chart_of(panel: Panel) -> documents.Chart | None:
    """The line or bar chart of a panel, from its ECharts option (band series → band)."""
    option = panel.chart
    if not option or "series" not in option:
        return None
    axis = option.get("xAxis")
    if not isinstance(axis, dict) or axis.get("type") != "category":
        axis = option.get("yAxis")
    if not isinstance(axis, dict) or axis.get("type") != "category":
        return None
    categories = [str(c) for c in axis["data"]]
    kinds = {s.get("type") for s in option["series"]}
    if not kinds <= {"line", "bar"}:
        return None
    series, lows, widths = [], None, None
    for s in option["series"]:
        data = [_plain(v) for v in s["data"]]
        if s.get("stack") == "band":
            if lows is None:
                lows = data
            else:
                widths = data
            continue
        series.append((str(s["name"]), data))
    band = None
    if lows is not None and widths is not None:
        highs = [
            None if lo is None or w is None else lo + w for lo, w in zip(lows, widths, strict=True)
        ]
        band = (lows, highs)
    return documents.Chart(
        panel.title, "bar" if "bar" in kinds else "line", categories, series, band=band
    )


def _plain(value) -> float | None:
    if isinstance(value, dict):
        value = value.get("value")
    return None if value is None else float(value)


def months_with_data(company_id: int) -> list[dt.date]:
    """The months a report can be asked for: the last 24 up to this one."""
    return months_back(timezone.localdate(), 24)[::-1]
