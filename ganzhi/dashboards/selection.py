"""What a dashboard shows: the org unit (company → region → project), the post, the period,
read from the query string so that every view can be bookmarked and shared."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Max, Min
from django.http import Http404
from django.utils import timezone

from ganzhi.core.periods import Period, months_back, parse_period, previous_period
from ganzhi.core.scoping import scope_for, visible
from ganzhi.org.models import Company, Post, Project, Region
from ganzhi.rollups.models import Scope, WorkOrderRollup
from ganzhi.surveys.scoring import OrgUnit, resolve_org_unit, resolve_post

TREND_MONTHS = 12


@dataclass(frozen=True)
class Crumb:
    label: str
    params: str  # query string of the dashboard at that level


@dataclass(frozen=True)
class Selection:
    unit: OrgUnit
    period: Period
    post: Post | None
    previous: Period
    trend: list[dt.date]  # the months of the trend charts, oldest first
    years: list[int]  # years that have data, newest first

    @property
    def level(self) -> str:
        """company, region, project or post."""
        return "post" if self.post is not None else self.unit.kind

    def params(self, **overrides) -> str:
        values = {"org": str(self.unit.public_id), "period": self.period.label}
        if self.post is not None:
            values["post"] = self.post.code
        values.update(overrides)
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})

    def crumbs(self) -> list[Crumb]:
        """Company › region › project › post, as far as the selection goes (each a link)."""
        unit = self.unit.obj
        chain: list[tuple[str, str]] = []
        if self.unit.kind == "project":
            chain = [
                (unit.region.name, str(unit.region.public_id)),
                (unit.name, str(unit.public_id)),
            ]
        elif self.unit.kind == "region":
            chain = [(unit.name, str(unit.public_id))]
        crumbs = [Crumb(unit.company.name if self.unit.kind != "company" else unit.name, "")]
        if self.unit.kind != "company":
            crumbs[0] = Crumb(
                crumbs[0].label,
                urlencode(
                    {"org": str(self.unit.obj.company.public_id), "period": self.period.label}
                ),
            )
        crumbs += [
            Crumb(label, urlencode({"org": org, "period": self.period.label}))
            for label, org in chain
        ]
        if self.post is not None:
            crumbs.append(Crumb(self.post.name, self.params()))
        return crumbs


def default_org(user) -> str:
    """The widest unit the user sees whole: the company, a region, or a project."""
    scope = scope_for(user)
    if scope.is_company_wide:
        company = visible(Company.objects.order_by("pk"), user).first()
        if company is not None:
            return str(company.public_id)
    elif scope.household_ids is None and scope.project_ids:
        regions = Region.objects.filter(pk__in=scope.region_ids or []).order_by("name")
        for region in regions:
            in_region = set(Project.objects.filter(region=region).values_list("pk", flat=True))
            if in_region and in_region <= scope.project_ids:
                return str(region.public_id)
        project = Project.objects.filter(pk__in=scope.project_ids).order_by("name").first()
        if project is not None:
            return str(project.public_id)
    raise Http404


def data_years(company_id: int) -> list[int]:
    """The years with work orders, newest first (at least this year)."""
    company_rows = WorkOrderRollup.objects.filter(company_id=company_id, scope=Scope.COMPANY)
    span = company_rows.aggregate(first=Min("month"), last=Max("month"))
    this_year = timezone.localdate().year
    if span["last"] is None:
        return [this_year]
    return list(range(max(span["last"].year, this_year), span["first"].year - 1, -1))


def select(user, query) -> Selection:
    """From ``?org=&period=&post=``: unknown or out-of-scope units 404, a malformed
    period or an unknown post raise DomainError (422)."""
    unit = resolve_org_unit(user, query.get("org") or default_org(user))
    years = data_years(unit.company_id)
    period = parse_period(query.get("period") or str(years[0]))
    post = resolve_post(unit, query.get("post", ""))
    last_day = (period.end - dt.timedelta(days=1)).date()
    return Selection(
        unit=unit,
        period=period,
        post=post,
        previous=previous_period(period),
        trend=months_back(last_day, TREND_MONTHS),
        years=years,
    )


def trend_period(selection: Selection) -> Period:
    """The twelve months of the trend charts as one period-like span."""
    first = selection.trend[0]
    zone = timezone.get_default_timezone()
    return Period(
        label=f"{first:%Y-%m}–{selection.trend[-1]:%Y-%m}",
        start=dt.datetime(first.year, first.month, 1, tzinfo=zone),
        end=selection.period.end,
    )
