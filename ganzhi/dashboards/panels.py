"""The building blocks of a dashboard page: figures, tables and charts.

Every chart is a ``Panel``: a table (what the table view shows and the .xlsx download
holds) plus an ECharts option built from the same rows, so the chart, its table and
its download can never disagree.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

MARK_CLASSES = {"up": " good-text", "down": " bad-text", "thin": " thin"}
PALETTE = ["#0f766e", "#2563eb", "#d97706", "#7c3aed", "#dc2626", "#0891b2", "#65a30d"]


@dataclass(frozen=True)
class Cell:
    """One table cell: ``value`` for the download, ``text`` to show, an optional link to
    the records behind it and a mark ("up"/"down" beyond noise, "thin" for a small sample)."""

    value: Any
    text: str = ""
    href: str = ""
    mark: str = ""
    numeric: bool = True

    @property
    def shown(self) -> str:
        if self.text:
            return self.text
        if self.value is None:
            return "—"
        if isinstance(self.value, float):
            return f"{self.value:.1f}"
        return str(self.value)

    @property
    def html(self) -> SafeString:
        classes = ("num" if self.numeric else "") + MARK_CLASSES.get(self.mark, "")
        if self.mark == "thin":
            shown = format_html('<span class="badge warn">{}</span>', self.shown)
        elif self.href:
            shown = format_html('<a href="{}">{}</a>', self.href, self.shown)
        else:
            shown = self.shown
        return format_html('<td class="{}">{}</td>', classes, shown)


def label(text: Any, href: str = "") -> Cell:
    return Cell(value=str(text), href=href, numeric=False)


def number(value: float | int | None, digits: int = 1, href: str = "", mark: str = "") -> Cell:
    text = (
        "—"
        if value is None
        else (f"{value:.{digits}f}" if isinstance(value, float) else f"{value:,}")
    )
    return Cell(value=value, text=text, href=href, mark=mark)


def percent(share: float | None, href: str = "", mark: str = "") -> Cell:
    value = None if share is None else round(share * 100, 2)
    return Cell(
        value=value, text="—" if share is None else f"{share * 100:.1f}%", href=href, mark=mark
    )


def interval(low: float | None, high: float | None, scale: float = 1.0) -> Cell:
    if low is None or high is None:
        return Cell(value=None, text="—")
    return Cell(
        value=f"{low * scale:.1f} – {high * scale:.1f}",
        text=f"{low * scale:.1f} – {high * scale:.1f}",
    )


def thin(n: int) -> Cell:
    return Cell(value=None, text=_("Sample too small"), mark="thin")


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)

    @property
    def body_html(self) -> SafeString:
        """The rows as HTML (built here: a template loop over every cell cost more than
        the rest of the page)."""
        return mark_safe(  # every cell is escaped by format_html
            "".join("<tr>" + "".join(cell.html for cell in row) + "</tr>" for row in self.rows)
        )


@dataclass
class Panel:
    key: str
    title: str
    table: Table
    chart: dict | None = None
    note: str = ""
    wide: bool = False
    empty: str = ""
    open_table: bool = False  # show the table without a click (drill-down lists)

    @property
    def chart_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def data_id(self) -> str:
        return f"chart-{self.key}-data"


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    detail: str = ""
    href: str = ""
    mark: str = ""  # up / down / thin
    target: str = ""


# --- ECharts options -----------------------------------------------------------------


def _base(categories: list[str]) -> dict:
    return {
        "color": PALETTE,
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 48, "right": 24, "top": 36, "bottom": 32},
        "xAxis": {"type": "category", "data": categories},
        "yAxis": {"type": "value", "scale": True},
        "legend": {"top": 0},
    }


def line_with_band(
    categories: list[str],
    name: str,
    values: list[float | None],
    lows: list[float | None],
    highs: list[float | None],
    *,
    target: float | None = None,
) -> dict:
    """A line with its 95 % interval as a shaded band (lower bound + stacked width)."""
    option = _base(categories)
    widths = [
        None if lo is None or hi is None else round(hi - lo, 3)
        for lo, hi in zip(lows, highs, strict=True)
    ]
    option["series"] = [
        {
            "name": "lo",
            "type": "line",
            "data": _r(lows),
            "stack": "band",
            "symbol": "none",
            "lineStyle": {"opacity": 0},
            "tooltip": {"show": False},
            "silent": True,
        },
        {
            "name": _("Interval (95%)"),
            "type": "line",
            "data": widths,
            "stack": "band",
            "symbol": "none",
            "lineStyle": {"opacity": 0},
            "areaStyle": {"color": "rgba(15,118,110,0.15)"},
            "silent": True,
        },
        {"name": name, "type": "line", "data": _r(values), "connectNulls": False, "symbolSize": 6},
    ]
    option["legend"]["data"] = [name]
    if target is not None:
        option["series"][2]["markLine"] = {
            "symbol": "none",
            "data": [{"yAxis": target, "name": _("Target")}],
            "lineStyle": {"type": "dashed", "color": "#d97706"},
            "label": {"formatter": _("Target") + " {c}"},
        }
    return option


def lines(
    categories: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    percent_axis: bool = False,
) -> dict:
    option = _base(categories)
    option["series"] = [
        {"name": name, "type": "line", "data": _r(values)} for name, values in series
    ]
    if percent_axis:
        option["yAxis"]["axisLabel"] = {"formatter": "{value}%"}
    return option


def bars(
    categories: list[str], series: list[tuple[str, list[float | None]]], *, horizontal: bool = False
) -> dict:
    option = _base(categories)
    option["series"] = [
        {"name": name, "type": "bar", "data": _r(values)} for name, values in series
    ]
    option["yAxis"]["scale"] = False  # bars start at zero, or their lengths mislead
    if horizontal:
        option["xAxis"], option["yAxis"] = (
            {"type": "value"},
            {"type": "category", "data": categories, "inverse": True},
        )
        option["grid"]["left"] = 110
    return option


def radar(indicators: list[str], series: list[tuple[str, list[float | None]]]) -> dict:
    return {
        "color": PALETTE,
        "tooltip": {},
        "legend": {"top": 0},
        "radar": {"indicator": [{"name": name, "min": 0, "max": 100} for name in indicators]},
        "series": [
            {
                "type": "radar",
                "data": [{"name": name, "value": _r(values)} for name, values in series],
            }
        ],
    }


def quadrant(points: list[tuple[str, float, float]], x_name: str, y_name: str) -> dict:
    """Importance × performance scatter with lines at the means of each axis."""
    xs = [p[1] for p in points]
    ys = [p[2] for p in points]
    mean_x = sum(xs) / len(xs) if xs else 0
    mean_y = sum(ys) / len(ys) if ys else 0
    return {
        "color": PALETTE,
        "tooltip": {"trigger": "item", "formatter": "{b}"},
        "grid": {"left": 56, "right": 32, "top": 24, "bottom": 48},
        "xAxis": {
            "type": "value",
            "name": x_name,
            "nameLocation": "middle",
            "nameGap": 28,
            "scale": True,
        },
        "yAxis": {"type": "value", "name": y_name, "scale": True},
        "series": [
            {
                "type": "scatter",
                "symbolSize": 14,
                "data": [
                    {"name": name, "value": [round(x, 2), round(y, 2)]} for name, x, y in points
                ],
                "label": {"show": True, "position": "right", "formatter": "{b}"},
                "markLine": {
                    "symbol": "none",
                    "silent": True,
                    "lineStyle": {"type": "dashed", "color": "#9ca3af"},
                    "data": [{"xAxis": round(mean_x, 2)}, {"yAxis": round(mean_y, 2)}],
                },
            }
        ],
    }


def p_chart(
    categories: list[str],
    shares: list[float | None],
    lcl: list[float | None],
    ucl: list[float | None],
    centre: float,
    flagged: list[bool],
) -> dict:
    option = _base(categories)
    option["yAxis"]["axisLabel"] = {"formatter": "{value}%"}
    option["series"] = [
        {
            "name": _("Complaint share"),
            "type": "line",
            "data": [
                None
                if s is None
                else {"value": round(s * 100, 2), "itemStyle": {"color": "#dc2626"} if f else {}}
                for s, f in zip(shares, flagged, strict=True)
            ],
            "symbolSize": 7,
            "markLine": {
                "symbol": "none",
                "data": [{"yAxis": round(centre * 100, 2), "name": "p̄"}],
                "lineStyle": {"color": "#6b7280"},
            },
        },
        {
            "name": "UCL",
            "type": "line",
            "step": "middle",
            "symbol": "none",
            "data": _r([None if v is None else v * 100 for v in ucl]),
            "lineStyle": {"type": "dashed", "color": "#dc2626"},
            "itemStyle": {"color": "#dc2626"},
        },
        {
            "name": "LCL",
            "type": "line",
            "step": "middle",
            "symbol": "none",
            "data": _r([None if v is None else v * 100 for v in lcl]),
            "lineStyle": {"type": "dashed", "color": "#dc2626"},
            "itemStyle": {"color": "#dc2626"},
        },
    ]
    return option


def _r(values: list[float | None]) -> list[float | None]:
    return [None if v is None else round(float(v), 2) for v in values]


# --- download --------------------------------------------------------------------------


def table_xlsx(panel: Panel, subtitle: str) -> bytes:
    """The panel's table as a workbook: a title row, then the header and the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = panel.title[:31].translate({ord(c): "-" for c in "[]:*?/\\"})
    sheet.append([panel.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([subtitle])
    sheet.append(panel.table.columns)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in panel.table.rows:
        sheet.append([c.value for c in row])
    for index, column in enumerate(panel.table.columns, start=1):
        width = max(
            [len(str(column))] + [len(c.shown) for c in (r[index - 1] for r in panel.table.rows)]
        )
        sheet.column_dimensions[sheet.cell(row=3, column=index).column_letter].width = min(
            2 * width + 2, 60
        )
    sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
