"""The dashboard pages, built from the rollups only (``ganzhi.rollups.selectors``).

Each ``*_page`` returns a ``Page``: headline figures and panels. The number of queries
does not depend on how much data there is (tests/dashboards check it at two sizes).
Differences are marked only when they are beyond noise (95 %): Welch's t test for
indices, the two-sample NPS test, the two-proportion z test for shares.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ganzhi.core.periods import Period
from ganzhi.core.scoping import visible
from ganzhi.dashboards.models import Metric, Target
from ganzhi.dashboards.panels import (
    Cell,
    Kpi,
    Panel,
    Table,
    bars,
    interval,
    label,
    line_with_band,
    lines,
    number,
    p_chart,
    percent,
    quadrant,
    radar,
    thin,
)
from ganzhi.dashboards.selection import Selection, trend_period
from ganzhi.org.models import Post, Project, Region
from ganzhi.rollups import selectors as rollups
from ganzhi.rollups.models import Kind, SurveyRollup
from ganzhi.stats import change, indices, nps, rates
from ganzhi.stats.errors import StatsError
from ganzhi.surveys.models import CallbackTask, Dimension
from ganzhi.surveys.scoring import Figure, min_sample
from ganzhi.workorders.models import OPEN_STATES, WorkOrder
from ganzhi.workorders.models import Kind as OrderKind

Level = SurveyRollup.Level
DIMENSION_LABELS = dict(Dimension.choices)


@dataclass
class Page:
    key: str
    title: str
    kpis: list[Kpi] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    as_of: object = None
    notes: list[str] = field(default_factory=list)

    def panel(self, key: str) -> Panel | None:
        return next((p for p in self.panels if p.key == key), None)


# --- shared helpers -------------------------------------------------------------------


def _month_label(month) -> str:
    return f"{month:%Y-%m}"


def _targets(sel: Selection) -> dict[str, float]:
    """The targets of the period's year, the most specific unit winning."""
    unit = sel.unit
    rows = Target.objects.filter(company_id=unit.company_id, year=sel.period.start.year)
    ranked: dict[str, tuple[int, float]] = {}
    region_id = unit.obj.pk if unit.kind == "region" else getattr(unit.obj, "region_id", None)
    project_id = unit.obj.pk if unit.kind == "project" else None
    for target in rows.values("metric", "value", "region_id", "project_id"):
        if target["project_id"] is not None:
            rank = 3 if target["project_id"] == project_id else -1
        elif target["region_id"] is not None:
            rank = 2 if target["region_id"] == region_id else -1
        else:
            rank = 1
        if rank > ranked.get(target["metric"], (0, 0))[0]:
            ranked[target["metric"]] = (rank, target["value"])
    return {metric: value for metric, (_rank, value) in ranked.items()}


def _index_stats(sums: dict) -> indices.WeightedMean | None:
    try:
        return indices.weighted_mean_from_sums(
            n=int(sums["index_n"]),
            sum_w=sums["index_sw"],
            sum_wy=sums["index_swy"],
            sum_w2=sums["index_sw2"],
            sum_w2y=sums["index_sw2y"],
            sum_w2y2=sums["index_sw2y2"],
        )
    except StatsError:
        return None


def index_mark(current: dict, reference: dict) -> str:
    """ "up"/"down" when ``current``'s index differs from ``reference``'s beyond noise."""
    minimum = min_sample()
    if current["index_n"] < minimum or reference["index_n"] < minimum:
        return ""
    a, b = _index_stats(reference), _index_stats(current)
    if a is None or b is None or (a.se == 0 and b.se == 0):
        return ""
    test = change.mean_change(
        previous_n=a.n,
        previous_mean=a.mean,
        previous_sd=a.se * math.sqrt(a.n),
        current_n=b.n,
        current_mean=b.mean,
        current_sd=b.se * math.sqrt(b.n),
    )
    return ("up" if test.change > 0 else "down") if test.significant else ""


def nps_mark(current: dict, reference: dict) -> str:
    minimum = min_sample()
    counts_a = [int(reference[k]) for k in ("promoters", "passives", "detractors")]
    counts_b = [int(current[k]) for k in ("promoters", "passives", "detractors")]
    if sum(counts_a) < minimum or sum(counts_b) < minimum:
        return ""
    difference = nps.nps_difference(nps.nps_from_counts(*counts_b), nps.nps_from_counts(*counts_a))
    return ("up" if difference.difference > 0 else "down") if difference.p_value < 0.05 else ""


def share_mark(k1: int, n1: int, k2: int, n2: int) -> str:
    """Current k2/n2 against reference k1/n1."""
    if n1 < min_sample() or n2 < min_sample():
        return ""
    try:
        test = change.proportion_change(
            previous_events=k1, previous_n=n1, current_events=k2, current_n=n2
        )
    except StatsError:
        return ""
    return ("up" if test.change > 0 else "down") if test.significant else ""


def mark_cell(mark: str, up: str, down: str, level: str) -> Cell:
    """▲/▼ with a word when a difference is beyond noise, else the "level" word."""
    return Cell(
        value={"up": "▲", "down": "▼"}.get(mark, ""),
        text={"up": f"▲ {up}", "down": f"▼ {down}"}.get(mark, level),
        mark=mark,
        numeric=False,
    )


def _minus(total: dict, part: dict, fields) -> dict:
    return {f: total[f] - part[f] for f in fields}


def _figure_text(figure: Figure, digits: int = 1, scale: float = 1.0) -> str:
    if figure.suppressed or figure.value is None:
        return _("Sample too small")
    return f"{figure.value * scale:.{digits}f}"


def _figure_detail(figure: Figure, scale: float = 1.0) -> str:
    if figure.suppressed or figure.ci_low is None:
        return f"n = {figure.n}"
    return f"95% CI {figure.ci_low * scale:.1f} – {figure.ci_high * scale:.1f} · n = {figure.n}"


def _goal(targets: dict[str, float], metric: str, unit: str = "") -> str:
    return f"{_('Goal')} {targets[metric]:g}{unit}" if metric in targets else ""


def _rate_detail(rate, n: int) -> str:
    if rate is None:
        return ""
    return f"95% CI {rate.ci_low * 100:.1f} – {rate.ci_high * 100:.1f} · n = {n:,}"


def _responses_href(sel: Selection, **extra) -> str:
    return reverse("dashboards:responses") + "?" + sel.params(**extra)


def _queue_href(sel: Selection, period: str | None = None, state: str = "all", **filters) -> str:
    """The work-order queue filtered to the orders behind a figure ("" state: open ones)."""
    params = {"state": state, "period": period or sel.period.label}
    if sel.unit.kind == "project":
        params["project"] = str(sel.unit.public_id)
    elif sel.unit.kind == "region":
        params["region"] = str(sel.unit.public_id)
    if sel.post is not None:
        params["post"] = str(sel.post.public_id)
    params.update({k: v for k, v in filters.items() if v})
    return reverse("workorders:queue") + "?" + urlencode(params)


def _callbacks_href(sel: Selection, status: str) -> str:
    params = {"status": status}
    if sel.unit.kind == "project":
        params["project"] = str(sel.unit.public_id)
    return reverse("surveys:callback_queue") + "?" + urlencode(params)


# --- drill-down children ----------------------------------------------------------------


@dataclass(frozen=True)
class Child:
    key: object  # region id, project id or post id
    name: str
    params: str  # the dashboard query string at that child


def children(sel: Selection) -> tuple[str, tuple[str, ...], Level | None, list[Child]]:
    """(what the children are, rollup group-by, survey level, children) one level down."""
    unit = sel.unit
    if sel.post is not None:
        return (
            "dimension",
            ("dimension",),
            Level.POST_DIMENSION,
            [Child(d.value, str(d.label), "") for d in Dimension],
        )
    if unit.kind == "company":
        regions = Region.objects.filter(company_id=unit.company_id).order_by("name")
        return (
            "region",
            ("region_id",),
            None,
            [Child(r.pk, r.name, sel.params(org=str(r.public_id), post="")) for r in regions],
        )
    if unit.kind == "region":
        projects = Project.objects.filter(region_id=unit.obj.pk).order_by("name")
        return (
            "project",
            ("project_id",),
            None,
            [Child(p.pk, p.name, sel.params(org=str(p.public_id), post="")) for p in projects],
        )
    posts = Post.objects.filter(company_id=unit.company_id).order_by("sort_order", "name")
    return (
        "post",
        ("post_id",),
        Level.POST,
        [Child(p.pk, p.name, sel.params(post=p.code)) for p in posts],
    )


def _survey_children(sel: Selection, period: Period) -> tuple[str, list[Child], dict]:
    kind, by, level, kids = children(sel)
    if level is None:
        rows = rollups.survey_by(sel.unit, period, by, post=sel.post, children=True)
    elif level == Level.POST:
        rows = rollups.survey_by(sel.unit, period, by, level=Q(level=Level.POST))
    else:
        rows = rollups.survey_by(
            sel.unit, period, by, level=Q(level=Level.POST_DIMENSION, post_id=sel.post.pk)
        )
    return kind, kids, {row[by[0]]: row for row in rows}


def _workorder_children(sel: Selection, period: Period) -> dict:
    kind, by, _level, _kids = children(sel)
    if kind == "dimension":
        return {}
    rows = rollups.workorders_by(sel.unit, period, by, post=sel.post, children=kind != "post")
    return {row[by[0]]: row for row in rows}


CHILD_TITLES = {
    "region": _("Regions"),
    "project": _("Projects"),
    "post": _("Posts"),
    "dimension": _("Dimensions"),
}


# --- overview ---------------------------------------------------------------------------


def overview_page(sel: Selection, *, workorders: bool) -> Page:
    minimum = min_sample()
    targets = _targets(sel)
    scores = rollups.survey_scores(sel.unit, sel.period, post=sel.post)
    now = rollups.survey_by(sel.unit, sel.period, (), post=sel.post)[0]
    before = rollups.survey_by(sel.unit, sel.previous, (), post=sel.post)[0]
    page = Page("overview", _("Overview"), as_of=rollups.as_of_all())
    page.kpis = [
        Kpi(
            _("Satisfaction index"),
            _figure_text(scores.index),
            _figure_detail(scores.index),
            _responses_href(sel),
            index_mark(now, before),
            _goal(targets, Metric.INDEX),
        ),
        Kpi(
            _("NPS"),
            _figure_text(scores.nps),
            _figure_detail(scores.nps),
            _responses_href(sel),
            nps_mark(now, before),
            _goal(targets, Metric.NPS),
        ),
        Kpi(
            _("Satisfied owners"),
            _figure_text(scores.satisfied_share, 1, 100)
            + ("" if scores.satisfied_share.suppressed else "%"),
            _figure_detail(scores.satisfied_share, 100),
            _responses_href(sel),
            share_mark(
                int(before["satisfied_k"]),
                int(before["satisfied_n"]),
                int(now["satisfied_k"]),
                int(now["satisfied_n"]),
            ),
            _goal(targets, Metric.SATISFIED),
        ),
        Kpi(
            _("Responses"),
            f"{scores.n:,}",
            _("previous period: %(n)s") % {"n": f"{int(before['responses']):,}"},
            _responses_href(sel),
        ),
    ]
    if workorders:
        orders = rollups.workorders_by(sel.unit, sel.period, (), post=sel.post)[0]
        kept = (
            orders["resolve_kept"] / orders["resolve_measured"]
            if orders["resolve_measured"]
            else None
        )
        page.kpis += [
            Kpi(
                _("Work orders"),
                f"{orders['created']:,}",
                _("%(n)s still open") % {"n": f"{orders['open']:,}"},
                _queue_href(sel),
            ),
            Kpi(
                _("Resolution promises kept"),
                "—" if kept is None else f"{kept * 100:.1f}%",
                f"n = {orders['resolve_measured']:,}",
                _queue_href(sel, breached="yes"),
                target=_goal(targets, Metric.RESOLVE_SLA),
            ),
        ]
    if scores.suppressed:
        page.notes.append(
            _("Fewer than %(m)s responses in this period: figures on a small sample are not shown.")
            % {"m": minimum}
        )
    page.panels.append(_trend_panel(sel, targets))
    page.panels.append(_children_panel(sel, workorders=workorders))
    return page


def _trend_panel(sel: Selection, targets: dict[str, float]) -> Panel:
    minimum = min_sample()
    span = trend_period(sel)
    by_month = {
        row["month"]: row for row in rollups.survey_by(sel.unit, span, ("month",), post=sel.post)
    }
    months, rows = [], []
    index_values, index_lo, index_hi, nps_values = [], [], [], []
    for month in sel.trend:
        sums = by_month.get(month)
        index = rollups.index_figure(sums, minimum) if sums else Figure(n=0)
        promoter = rollups.nps_figure(sums, minimum) if sums else Figure(n=0)
        months.append(_month_label(month))
        index_values.append(index.value)
        index_lo.append(index.ci_low)
        index_hi.append(index.ci_high)
        nps_values.append(promoter.value)
        month_href = _responses_href(sel, period=_month_label(month))
        rows.append(
            [
                label(_month_label(month)),
                number(int(sums["responses"]) if sums else 0, href=month_href),
                number(index.value) if not index.suppressed else thin(index.n),
                interval(index.ci_low, index.ci_high),
                number(promoter.value) if not promoter.suppressed else thin(promoter.n),
                interval(promoter.ci_low, promoter.ci_high),
            ]
        )
    option = line_with_band(
        months,
        _("Satisfaction index"),
        index_values,
        index_lo,
        index_hi,
        target=targets.get(Metric.INDEX),
    )
    option["yAxis"] = [option["yAxis"], {"type": "value", "scale": True, "name": "NPS"}]
    option["series"].append(
        {
            "name": "NPS",
            "type": "line",
            "yAxisIndex": 1,
            "data": nps_values,
            "lineStyle": {"type": "dotted"},
        }
    )
    option["legend"]["data"].append("NPS")
    return Panel(
        "trend",
        _("Satisfaction index and NPS by month"),
        Table([_("Month"), _("Responses"), _("Index"), _("95% CI"), "NPS", _("NPS 95% CI")], rows),
        option,
        note=_(
            "The shaded band is the 95%% interval of the index; "
            "months with fewer than %(m)s answers are left out."
        )
        % {"m": minimum},
        wide=True,
    )


def _children_panel(sel: Selection, *, workorders: bool) -> Panel:
    minimum = min_sample()
    kind, kids, surveys = _survey_children(sel, sel.period)
    orders = _workorder_children(sel, sel.period) if workorders else {}
    parent = rollups.survey_by(sel.unit, sel.period, (), post=sel.post)[0]
    columns = [CHILD_TITLES[kind], _("Responses"), _("Index"), _("95% CI"), _("vs the rest"), "NPS"]
    if orders or (workorders and kind != "dimension"):
        columns += [_("Work orders"), _("Resolution promises kept")]
    rows, names, values = [], [], []
    for child in kids:
        sums = surveys.get(child.key)
        figure = rollups.index_figure(sums, minimum) if sums else Figure(n=0)
        promoter = rollups.nps_figure(sums, minimum) if sums else Figure(n=0)
        mark = (
            index_mark(sums, _minus(parent, sums, rollups.SURVEY_SUMS))
            if sums and kind != "dimension"
            else ""
        )
        href = ("?" + child.params) if child.params else ""
        row = [
            label(child.name, href),
            number(int(sums["responses"]) if sums else 0),
            number(figure.value, mark=mark) if not figure.suppressed else thin(figure.n),
            interval(figure.ci_low, figure.ci_high),
            mark_cell(mark, _("above"), _("below"), _("within noise")),
            number(promoter.value) if not promoter.suppressed else thin(promoter.n),
        ]
        if len(columns) > 6:
            counts = orders.get(child.key)
            created = counts["created"] if counts else 0
            kept = (
                counts["resolve_kept"] / counts["resolve_measured"]
                if counts and counts["resolve_measured"]
                else None
            )
            row += [number(created), percent(kept)]
        rows.append(row)
        names.append(child.name)
        values.append(figure.value)
    return Panel(
        "children",
        CHILD_TITLES[kind],
        Table(columns, rows),
        bars(names, [(_("Satisfaction index"), values)]),
        note=_(
            "▲/▼: the index differs from the rest of %(unit)s beyond noise (Welch t test, 95%%)."
        )
        % {"unit": sel.post.name if sel.post else sel.unit.name},
        wide=True,
        open_table=True,
    )


# --- SERVQUAL ---------------------------------------------------------------------------


def servqual_page(sel: Selection) -> Page:
    targets = _targets(sel)
    scores = rollups.survey_scores(sel.unit, sel.period, post=sel.post)
    previous = rollups.survey_scores(sel.unit, sel.previous, post=sel.post)
    page = Page("servqual", _("SERVQUAL"), as_of=rollups.as_of(Kind.SURVEYS))
    now = {r.key: r.index for r in scores.by_dimension}
    before = {r.key: r.index for r in previous.by_dimension}
    names = [str(d.label) for d in Dimension]
    current_values = [now[d].value if d in now else None for d in Dimension.values]
    previous_values = [before[d].value if d in before else None for d in Dimension.values]
    target_values = [targets.get(f"dim:{d}") for d in Dimension.values]
    series = [(sel.period.label, current_values), (sel.previous.label, previous_values)]
    if any(v is not None for v in target_values):
        series.append((_("Goal"), target_values))
    rows = [
        [
            label(name),
            number(now[d].value)
            if d in now and not now[d].suppressed
            else thin(now[d].n if d in now else 0),
            interval(now[d].ci_low, now[d].ci_high) if d in now else interval(None, None),
            number(before[d].value) if d in before and not before[d].suppressed else thin(0),
            number(targets.get(f"dim:{d}")),
            number(now[d].n if d in now else 0),
        ]
        for name, d in zip(names, Dimension.values, strict=True)
    ]
    page.panels.append(
        Panel(
            "radar",
            _("The five dimensions"),
            Table(
                [
                    _("Dimension"),
                    sel.period.label,
                    _("95% CI"),
                    sel.previous.label,
                    _("Goal"),
                    "n",
                ],
                rows,
            ),
            radar(names, series),
        )
    )
    gap = scores.gap
    if gap is not None and not gap.suppressed:
        dims = [(DIMENSION_LABELS.get(d, d), v) for d, v in gap.dimensions.items()]
        page.panels.append(
            Panel(
                "gap",
                _("Gap P − E by dimension"),
                Table([_("Dimension"), _("Gap")], [[label(n), number(v, 2)] for n, v in dims]),
                bars([n for n, _v in dims], [(_("Gap"), [v for _n, v in dims])]),
                note=_("Below zero: owners got less than they expected.")
                + (" " + _("In points on a 0–100 scale.") if gap.points_100 else ""),
            )
        )
        page.panels.append(
            Panel(
                "items",
                _("Gap by sub-indicator"),
                Table(
                    [_("Sub-indicator"), _("Dimension"), _("Gap"), _("95% CI"), "n"],
                    [
                        [
                            label(item.text),
                            label(item.dimension_label),
                            number(item.mean_gap, 2) if not item.suppressed else thin(item.n),
                            interval(item.ci_low, item.ci_high),
                            number(item.n),
                        ]
                        for item in sorted(
                            gap.items, key=lambda i: (i.mean_gap is None, i.mean_gap or 0)
                        )
                    ],
                ),
                wide=True,
            )
        )
    page.panels.append(_five_gaps_panel(sel, gap))
    if gap is None:
        page.notes.append(_("No expectation/perception pairs were asked in this period."))
    elif gap.suppressed:
        page.notes.append(
            _("Too few expectation/perception answers to show gaps (n = %(n)s).") % {"n": gap.n}
        )
    return page


def _five_gaps_panel(sel: Selection, gap) -> Panel:
    """The 5-gap model (Parasuraman, Zeithaml & Berry 1985): what the data say about each."""
    orders = rollups.workorders_by(sel.unit, sel.period, (), post=sel.post)[0]
    broken = orders["breached"] / orders["created"] if orders["created"] else None
    worst = None
    if gap is not None and not gap.suppressed:
        shown = [i for i in gap.items if i.mean_gap is not None]
        worst = min(shown, key=lambda i: i.mean_gap) if shown else None
    rows = [
        [
            label(_("Gap 1 · knowledge")),
            label(_("What management believes owners expect vs what they expect")),
            label(_("Largest expectation gap: %(item)s") % {"item": worst.text} if worst else "—"),
        ],
        [
            label(_("Gap 2 · standards")),
            label(_("Service standards vs management's understanding")),
            label(_("Review the promises (SLA) and the moments of truth")),
        ],
        [
            label(_("Gap 3 · delivery")),
            label(_("Service delivered vs the standards")),
            percent(broken, href=_queue_href(sel, breached="yes"))
            if broken is not None
            else label("—"),
        ],
        [
            label(_("Gap 4 · communication")),
            label(_("What is promised to owners vs what is delivered")),
            label(_("Compare notices and promises with the call-back findings")),
        ],
        [
            label(_("Gap 5 · perceived service")),
            label(_("Perception vs expectation (P − E)")),
            number(gap.score, 2) if gap is not None and gap.score is not None else label("—"),
        ],
    ]
    return Panel(
        "five_gaps",
        _("The 5-gap model"),
        Table([_("Gap"), _("Meaning"), _("Evidence this period")], rows),
        note=_(
            "Gap 3 is the share of work orders that broke a promise; "
            "gap 5 is the overall SERVQUAL gap."
        ),
        wide=True,
    )


# --- posts league -----------------------------------------------------------------------


def posts_page(sel: Selection) -> Page:
    minimum = min_sample()
    page = Page("posts", _("Posts league table"), as_of=rollups.as_of(Kind.SURVEYS))
    level = Q(level=Level.POST)
    now = {
        r["post_id"]: r for r in rollups.survey_by(sel.unit, sel.period, ("post_id",), level=level)
    }
    before = {
        r["post_id"]: r
        for r in rollups.survey_by(sel.unit, sel.previous, ("post_id",), level=level)
    }
    everyone = rollups.survey_by(sel.unit, sel.period, ())[0]
    posts = Post.objects.filter(company_id=sel.unit.company_id, pk__in=list(now)).order_by(
        "sort_order", "name"
    )
    ranked = []
    for post in posts:
        sums = now[post.pk]
        figure = rollups.index_figure(sums, minimum)
        ranked.append((figure.value if not figure.suppressed else -1, post, sums, figure))
    ranked.sort(key=lambda item: -item[0])
    rows, names, values = [], [], []
    for rank, (_value, post, sums, figure) in enumerate(ranked, start=1):
        vs_all = index_mark(sums, everyone)
        vs_before = index_mark(sums, before[post.pk]) if post.pk in before else ""
        previous_figure = (
            rollups.index_figure(before[post.pk], minimum) if post.pk in before else Figure(n=0)
        )
        rows.append(
            [
                number(rank),
                label(post.name, "?" + sel.params(post=post.code, page="")),
                number(figure.value, mark=vs_all) if not figure.suppressed else thin(figure.n),
                interval(figure.ci_low, figure.ci_high),
                mark_cell(vs_all, _("above"), _("below"), _("within noise")),
                number(previous_figure.value)
                if not previous_figure.suppressed
                else thin(previous_figure.n),
                mark_cell(vs_before, _("better"), _("worse"), _("no real change")),
                number(int(sums["index_n"]), href=_responses_href(sel, post=post.code)),
            ]
        )
        names.append(post.name)
        values.append(figure.value)
    page.panels.append(
        Panel(
            "league",
            _("Posts by satisfaction index"),
            Table(
                [
                    "#",
                    _("Post"),
                    _("Index"),
                    _("95% CI"),
                    _("vs all posts"),
                    sel.previous.label,
                    _("Change"),
                    "n",
                ],
                rows,
            ),
            bars(names, [(_("Satisfaction index"), values)], horizontal=True),
            note=_(
                "▲/▼ only where the difference is beyond noise (Welch t test, 95%); "
                "otherwise the posts are level."
            ),
            wide=True,
            open_table=True,
            empty=_("No scored answers in this period."),
        )
    )
    return page


# --- key drivers ------------------------------------------------------------------------


def drivers_page(sel: Selection) -> Page:
    page = Page("drivers", _("Key drivers"), as_of=rollups.as_of(Kind.SURVEYS))
    found = rollups.key_drivers(sel.unit, sel.period, post=sel.post)
    if found.suppressed:
        page.notes.append(
            _(
                "Key drivers need at least %(m)s owners who rated all five dimensions "
                "and the overall satisfaction; there are %(n)s."
            )
            % {"m": max(min_sample(), len(Dimension) + 2), "n": found.n}
            + (f" ({found.reason})" if found.reason else "")
        )
        return page
    importance = [r.importance * 100 for r in found.rows]
    performance = [r.performance for r in found.rows]
    mean_i = sum(importance) / len(importance)
    mean_p = sum(performance) / len(performance)
    fix_first = sorted(
        (r for r in found.rows if r.importance * 100 >= mean_i and r.performance < mean_p),
        key=lambda r: -(r.importance * (100 - r.performance)),
    )
    quadrant_of = {}
    for r in found.rows:
        high, good = r.importance * 100 >= mean_i, r.performance >= mean_p
        quadrant_of[r.dimension] = {
            (True, False): _("Fix first"),
            (True, True): _("Keep it up"),
            (False, False): _("Lower priority"),
            (False, True): _("Possible overkill"),
        }[(high, good)]
    page.kpis = [
        Kpi("R²", f"{found.r2:.2f}", _("share of the overall satisfaction explained"), ""),
        Kpi(
            _("Owners in the analysis"),
            f"{found.n:,}",
            _("rated all five dimensions"),
            _responses_href(sel),
        ),
    ]
    page.panels.append(
        Panel(
            "quadrant",
            _("Importance × performance"),
            Table(
                [
                    _("Dimension"),
                    _("Importance (share of R², in %)"),
                    _("Performance (index)"),
                    _("Quadrant"),
                ],
                [
                    [
                        label(r.label),
                        number(r.importance * 100),
                        number(r.performance),
                        label(quadrant_of[r.dimension]),
                    ]
                    for r in sorted(found.rows, key=lambda r: -r.importance)
                ],
            ),
            quadrant(
                [(r.label, r.importance * 100, r.performance) for r in found.rows],
                _("Importance (share of R², in %)"),
                _("Performance"),
            ),
            note=_(
                "Importance: each dimension's Shapley share of the R² of overall "
                "satisfaction; the dashed lines are the averages."
            ),
        )
    )
    page.panels.append(
        Panel(
            "fix_first",
            _("Fix first"),
            Table(
                [_("Dimension"), _("Importance (share of R², in %)"), _("Performance (index)")],
                [
                    [label(r.label), number(r.importance * 100), number(r.performance)]
                    for r in fix_first
                ],
            ),
            empty=_("No dimension is both important and below average: keep the balance."),
        )
    )
    return page


# --- work orders -----------------------------------------------------------------------


def workorders_page(sel: Selection, user) -> Page:
    page = Page("workorders", _("Work orders"), as_of=rollups.as_of(Kind.WORKORDERS))
    totals = rollups.workorders_by(sel.unit, sel.period, (), post=sel.post)[0]
    before = rollups.workorders_by(sel.unit, sel.previous, (), post=sel.post)[0]
    targets = _targets(sel)

    def share(k: str, n: str, sums: dict):
        return sums[k] / sums[n] if sums[n] else None

    response = (
        rates.rate(totals["response_kept"], totals["response_measured"])
        if totals["response_measured"]
        else None
    )
    resolve = (
        rates.rate(totals["resolve_kept"], totals["resolve_measured"])
        if totals["resolve_measured"]
        else None
    )
    page.kpis = [
        Kpi(
            _("Work orders"),
            f"{totals['created']:,}",
            _("previous period: %(n)s") % {"n": f"{before['created']:,}"},
            _queue_href(sel),
        ),
        Kpi(_("Still open"), f"{totals['open']:,}", "", _queue_href(sel, state="")),
        Kpi(
            _("Response promises kept"),
            "—" if response is None else f"{response.rate * 100:.1f}%",
            _rate_detail(response, totals["response_measured"]),
            _queue_href(sel),
            share_mark(
                before["response_kept"],
                before["response_measured"],
                totals["response_kept"],
                totals["response_measured"],
            ),
            _goal(targets, Metric.RESPONSE_SLA, "%"),
        ),
        Kpi(
            _("Resolution promises kept"),
            "—" if resolve is None else f"{resolve.rate * 100:.1f}%",
            _rate_detail(resolve, totals["resolve_measured"]),
            _queue_href(sel),
            share_mark(
                before["resolve_kept"],
                before["resolve_measured"],
                totals["resolve_kept"],
                totals["resolve_measured"],
            ),
            _goal(targets, Metric.RESOLVE_SLA, "%"),
        ),
        Kpi(_("Promises broken"), f"{totals['breached']:,}", "", _queue_href(sel, breached="yes")),
        Kpi(
            _("Reopened"),
            "—" if not totals["created"] else f"{share('reopened', 'created', totals) * 100:.1f}%",
            f"{totals['reopened']:,}",
            _queue_href(sel),
        ),
        Kpi(
            _("Repeat complaints"),
            f"{totals['repeats']:,}",
            "",
            _queue_href(sel, kind=OrderKind.COMPLAINT),
        ),
    ]
    page.panels.append(_categories_panel(sel))
    page.panels.append(_sla_trend_panel(sel))
    page.panels.append(_complaint_chart_panel(sel))
    page.panels.append(_workorder_children_panel(sel))
    page.panels.append(_oldest_open_panel(sel, user))
    return page


def _categories_panel(sel: Selection) -> Panel:
    rows = rollups.workorders_by(
        sel.unit,
        sel.period,
        ("category_id", "category__name", "category__public_id", "kind"),
        post=sel.post,
    )
    rows.sort(key=lambda r: -r["created"])
    table_rows = [
        [
            label(r["category__name"]),
            label(dict(OrderKind.choices).get(r["kind"], r["kind"])),
            number(r["created"], href=_queue_href(sel, category=str(r["category__public_id"]))),
            number(
                r["open"], href=_queue_href(sel, category=str(r["category__public_id"]), state="")
            ),
            number(
                r["breached"],
                href=_queue_href(sel, category=str(r["category__public_id"]), breached="yes"),
            ),
            percent(r["resolve_kept"] / r["resolve_measured"] if r["resolve_measured"] else None),
        ]
        for r in rows
    ]
    top = rows[:15]
    return Panel(
        "categories",
        _("Volume by category"),
        Table(
            [
                _("Category"),
                _("Type"),
                _("Work orders"),
                _("Still open"),
                _("Promises broken"),
                _("Resolution promises kept"),
            ],
            table_rows,
        ),
        bars(
            [r["category__name"] for r in top],
            [(_("Work orders"), [r["created"] for r in top])],
            horizontal=True,
        ),
        empty=_("No work orders in this period."),
    )


def _sla_trend_panel(sel: Selection) -> Panel:
    span = trend_period(sel)
    by_month = {
        r["month"]: r for r in rollups.workorders_by(sel.unit, span, ("month",), post=sel.post)
    }
    rows, response, resolve, reopened = [], [], [], []
    for month in sel.trend:
        sums = by_month.get(month)
        figures = []
        for kept, measured in (
            ("response_kept", "response_measured"),
            ("resolve_kept", "resolve_measured"),
        ):
            figures.append(
                rates.rate(sums[kept], sums[measured]) if sums and sums[measured] else None
            )
        response.append(None if figures[0] is None else figures[0].rate * 100)
        resolve.append(None if figures[1] is None else figures[1].rate * 100)
        reopen = sums["reopened"] / sums["created"] if sums and sums["created"] else None
        reopened.append(None if reopen is None else reopen * 100)
        rows.append(
            [
                label(_month_label(month)),
                number(
                    sums["created"] if sums else 0,
                    href=_queue_href(sel, period=_month_label(month)),
                ),
                percent(None if figures[0] is None else figures[0].rate),
                interval(
                    *(figures[0].ci_low, figures[0].ci_high) if figures[0] else (None, None),
                    scale=100,
                ),
                percent(None if figures[1] is None else figures[1].rate),
                interval(
                    *(figures[1].ci_low, figures[1].ci_high) if figures[1] else (None, None),
                    scale=100,
                ),
                number(
                    sums["breached"] if sums else 0,
                    href=_queue_href(sel, period=_month_label(month), breached="yes"),
                ),
                percent(reopen),
            ]
        )
    return Panel(
        "sla",
        _("Promises kept by month"),
        Table(
            [
                _("Month"),
                _("Work orders"),
                _("Response kept"),
                _("95% CI"),
                _("Resolution kept"),
                _("95% CI"),
                _("Promises broken"),
                _("Reopened"),
            ],
            rows,
        ),
        lines(
            [_month_label(m) for m in sel.trend],
            [
                (_("Response kept"), response),
                (_("Resolution kept"), resolve),
                (_("Reopened"), reopened),
            ],
            percent_axis=True,
        ),
        note=_("Wilson intervals (95%)."),
        wide=True,
    )


def _complaint_chart_panel(sel: Selection) -> Panel:
    """p-chart of the share of work orders that are complaints, month by month."""
    span = trend_period(sel)
    rows = rollups.workorders_by(sel.unit, span, ("month", "kind"), post=sel.post)
    sizes: dict = defaultdict(int)
    events: dict = defaultdict(int)
    for r in rows:
        sizes[r["month"]] += r["created"]
        if r["kind"] == OrderKind.COMPLAINT:
            events[r["month"]] += r["created"]
    months = [m for m in sel.trend if sizes.get(m)]
    labels = [_month_label(m) for m in sel.trend]
    chart = None
    table_rows = []
    if len(months) >= 2:
        result = change.p_chart(
            [events[m] for m in months],
            [sizes[m] for m in months],
            [_month_label(m) for m in months],
        )
        points = {p.label: p for p in result.points}
        chart = p_chart(
            labels,
            [points[x].proportion if x in points else None for x in labels],
            [points[x].lcl if x in points else None for x in labels],
            [points[x].ucl if x in points else None for x in labels],
            result.centre,
            [points[x].out_of_control if x in points else False for x in labels],
        )
        for x in labels:
            if x in points:
                p = points[x]
                table_rows.append(
                    [
                        label(x),
                        number(p.events, href=_queue_href(sel, period=x, kind=OrderKind.COMPLAINT)),
                        number(p.n),
                        percent(
                            p.proportion,
                            mark="down" if p.out_of_control and p.proportion > p.ucl else "",
                        ),
                        percent(p.lcl),
                        percent(p.ucl),
                        label(_("out of control") if p.out_of_control else ""),
                    ]
                )
    return Panel(
        "complaints",
        _("Complaint share (p-chart)"),
        Table(
            [_("Month"), _("Complaints"), _("Work orders"), _("Share"), "LCL", "UCL", ""],
            table_rows,
        ),
        chart,
        note=_("Control limits p̄ ± 3σ; a month beyond them is a signal, not noise."),
        empty=_("A p-chart needs work orders in at least two months."),
    )


def _workorder_children_panel(sel: Selection) -> Panel:
    kind, _by, _level, kids = children(sel)
    counts = _workorder_children(sel, sel.period)
    rows, names, values = [], [], []
    if kind != "dimension":
        for child in kids:
            c = counts.get(child.key)
            if c is None:
                c = dict.fromkeys(rollups.WORKORDER_SUMS, 0)
            kept = c["resolve_kept"] / c["resolve_measured"] if c["resolve_measured"] else None
            rows.append(
                [
                    label(child.name, "?" + child.params),
                    number(c["created"]),
                    number(c["open"]),
                    number(c["breached"]),
                    percent(kept),
                    percent(c["reopened"] / c["created"] if c["created"] else None),
                    number(c["repeats"]),
                ]
            )
            names.append(child.name)
            values.append(None if kept is None else kept * 100)
    return Panel(
        "units",
        CHILD_TITLES[kind],
        Table(
            [
                CHILD_TITLES[kind],
                _("Work orders"),
                _("Still open"),
                _("Promises broken"),
                _("Resolution promises kept"),
                _("Reopened"),
                _("Repeat complaints"),
            ],
            rows,
        ),
        bars(names, [(_("Resolution promises kept"), values)]) if rows else None,
        wide=True,
        open_table=True,
        empty=_("No work orders in this period."),
    )


def _oldest_open_panel(sel: Selection, user) -> Panel:
    """The ten oldest open orders (live, not from the rollups: a partial index finds them)."""
    orders = sel.unit.narrow(visible(WorkOrder.objects.all(), user))
    if sel.post is not None:
        orders = orders.filter(post_id=sel.post.pk)
    # one index range per open state (company, state, created_at), merged: a partial
    # index on "state IN (…)" is not used by SQLite when the list is parameterised
    fields = (
        "public_id",
        "number",
        "title",
        "project__name",
        "state",
        "created_at",
        "resolve_breached",
    )
    oldest = sorted(
        (
            row
            for state in OPEN_STATES
            for row in orders.filter(state=state).order_by("created_at").values(*fields)[:10]
        ),
        key=lambda row: row["created_at"],
    )[:10]
    now = timezone.now()
    states = dict(WorkOrder._meta.get_field("state").choices)
    rows = [
        [
            label(o["number"], reverse("workorders:detail", args=[o["public_id"]])),
            label(o["title"]),
            label(o["project__name"]),
            label(states.get(o["state"], o["state"])),
            label(timezone.localtime(o["created_at"]).strftime("%Y-%m-%d %H:%M")),
            number((now - o["created_at"]).days, 0, mark="down" if o["resolve_breached"] else ""),
        ]
        for o in oldest
    ]
    return Panel(
        "oldest",
        _("Oldest open work orders"),
        Table(
            [_("Number"), _("Title"), _("Project"), _("State"), _("Created"), _("Days open")], rows
        ),
        wide=True,
        empty=_("No open work orders."),
    )


# --- detractor loop ----------------------------------------------------------------------


def callbacks_page(sel: Selection, user) -> Page:
    page = Page("callbacks", _("Detractor call-backs"), as_of=rollups.as_of(Kind.CALLBACKS))
    open_tasks = sel.unit.narrow(visible(CallbackTask.objects.filter(done_at__isnull=True), user))
    live = open_tasks.aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=timezone.now()))
    )
    totals = rollups.callbacks_by(sel.unit, sel.period, ())[0]
    conversion = rates.rate(totals["recovered"], totals["reached"]) if totals["reached"] else None
    page.kpis = [
        Kpi(_("Call-backs due"), f"{live['open']:,}", _("now"), _callbacks_href(sel, "open")),
        Kpi(
            _("Overdue"),
            f"{live['overdue']:,}",
            _("now"),
            _callbacks_href(sel, "overdue"),
            "down" if live["overdue"] else "",
        ),
        Kpi(
            _("Done in the period"),
            f"{totals['done']:,}",
            _("of %(n)s created") % {"n": f"{totals['created']:,}"},
            _callbacks_href(sel, "done"),
        ),
        Kpi(
            _("Done on time"),
            "—" if not totals["done"] else f"{totals['done_on_time'] / totals['done'] * 100:.1f}%",
            "",
            _callbacks_href(sel, "done"),
        ),
        Kpi(
            _("Conversion"),
            "—" if conversion is None else f"{conversion.rate * 100:.1f}%",
            _rate_detail(conversion, totals["reached"]),
            _callbacks_href(sel, "done"),
        ),
    ]
    span = trend_period(sel)
    by_month = {r["month"]: r for r in rollups.callbacks_by(sel.unit, span, ("month",))}
    rows, created, done, recovered = [], [], [], []
    for month in sel.trend:
        c = by_month.get(month) or dict.fromkeys(rollups.CALLBACK_SUMS, 0)
        rate = rates.rate(c["recovered"], c["reached"]) if c["reached"] else None
        rows.append(
            [
                label(_month_label(month)),
                number(c["created"]),
                number(c["done"]),
                percent(c["done_on_time"] / c["done"] if c["done"] else None),
                number(c["reached"]),
                number(c["recovered"]),
                percent(None if rate is None else rate.rate),
                interval(*(rate.ci_low, rate.ci_high) if rate else (None, None), scale=100),
                number(c["workorders"]),
            ]
        )
        created.append(c["created"])
        done.append(c["done"])
        recovered.append(c["recovered"])
    page.panels.append(
        Panel(
            "loop",
            _("Call-backs by month"),
            Table(
                [
                    _("Month"),
                    _("Created"),
                    _("Done"),
                    _("On time"),
                    _("Reached"),
                    _("Recovered"),
                    _("Conversion"),
                    _("95% CI"),
                    _("Work orders opened"),
                ],
                rows,
            ),
            bars(
                [_month_label(m) for m in sel.trend],
                [(_("Created"), created), (_("Done"), done), (_("Recovered"), recovered)],
            ),
            note=_(
                "Conversion: owners reached whose problem was put right (recovered), "
                "with a Wilson interval (95%)."
            ),
            wide=True,
        )
    )
    return page
