"""Report documents rendered to PDF (reportlab) and .xlsx (openpyxl). No Django here.

A ``Document`` is sections of paragraphs, charts and tables; ``render_pdf`` and
``render_xlsx`` turn the same document into both formats. Chinese text is set in
WenQuanYi Micro Hei, shipped in ``fonts/`` (Apache-2.0) and embedded as a subset.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

FONT_FILE = Path(__file__).with_name("fonts") / "wqy-microhei.ttc"
FONT = "WenQuanYiMicroHei"
NO_DATA = "暂无数据"
Value = str | int | float | None


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[Value]]
    note: str = ""


@dataclass(frozen=True)
class Chart:
    title: str
    kind: Literal["line", "bar"]
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    unit: str = ""
    band: tuple[list[float | None], list[float | None]] | None = None  # e.g. a 95 % interval


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    as_of: str
    sections: list[Section]


# --- PDF ---------------------------------------------------------------------------------


@cache
def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE), subfontIndex=0))
    return FONT


def render_pdf(document: Document) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        LongTable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )

    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=11, textColor=colors.grey)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10.5)
    number = ParagraphStyle("number", parent=cell, alignment=TA_RIGHT)
    head = ParagraphStyle("head", parent=cell, textColor=colors.white)
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=24, spaceAfter=4)
    h1 = ParagraphStyle(
        "h1",
        parent=body,
        fontSize=13,
        leading=18,
        spaceBefore=10,
        spaceAfter=4,
        textColor=colors.HexColor("#0f766e"),
    )
    h2 = ParagraphStyle("h2", parent=body, fontSize=10.5, leading=15, spaceBefore=6, spaceAfter=3)
    width = A4[0] - 36 * mm

    story = [
        Paragraph(_escape(document.title), title),
        Paragraph(_escape(document.subtitle), body),
        Paragraph(_escape(f"数据截至 {document.as_of}"), small),
        Spacer(1, 6 * mm),
    ]
    for section in document.sections:
        story.append(Paragraph(_escape(section.title), h1))
        story += [Paragraph(_escape(text), body) for text in section.paragraphs]
        for chart in section.charts:
            story.append(
                KeepTogether([Paragraph(_escape(chart.title), h2), _drawing(chart, width, font)])
            )
        for table in section.tables:
            story.append(Paragraph(_escape(table.title), h2))
            header = [Paragraph(_escape(c), head) for c in table.columns]
            rows = [
                [Paragraph(_escape(_text(v)), number if _is_number(v) else cell) for v in row]
                for row in table.rows
            ] or [[Paragraph(NO_DATA, cell)] + [""] * (len(table.columns) - 1)]
            grid = LongTable(
                [header, *rows],
                repeatRows=1,
                colWidths=[width / max(len(table.columns), 1)] * len(table.columns),
            )
            style = [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0f766e")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#d1d5db")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f9fafb")]),
            ]
            if not table.rows:
                style.append(("SPAN", (0, 1), (-1, 1)))
            grid.setStyle(TableStyle(style))
            story.append(grid)
            if table.note:
                story.append(Paragraph(_escape(table.note), small))
            story.append(Spacer(1, 3 * mm))

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"第 {doc.page} 页")
        canvas.drawString(18 * mm, 10 * mm, document.title)
        canvas.restoreState()

    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=document.title,
        author="Ganzhi",
    ).build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _drawing(chart: Chart, width: float, font: str):
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    palette = [colors.HexColor(c) for c in ("#0f766e", "#2563eb", "#d97706", "#7c3aed", "#dc2626")]
    height = 170
    drawing = Drawing(width, height)
    values = [v for _name, data in chart.series for v in data if v is not None]
    if not values or not chart.categories:
        drawing.add(
            String(width / 2, height / 2, NO_DATA, fontName=font, fontSize=10, textAnchor="middle")
        )
        return drawing
    series = list(chart.series)
    if chart.kind == "line" and chart.band is not None:
        series += [("95% 下限", chart.band[0]), ("95% 上限", chart.band[1])]
    plot = VerticalBarChart() if chart.kind == "bar" else HorizontalLineChart()
    plot.x, plot.y, plot.width, plot.height = 40, 38, width - 60, height - 60
    plot.data = [tuple(None if v is None else float(v) for v in data) for _name, data in series]
    plot.categoryAxis.categoryNames = [str(c) for c in chart.categories]
    plot.categoryAxis.labels.fontName = font
    plot.categoryAxis.labels.fontSize = 6.5
    plot.categoryAxis.labels.angle = 30 if len(chart.categories) > 6 else 0
    plot.categoryAxis.labels.boxAnchor = "ne" if len(chart.categories) > 6 else "n"
    plot.valueAxis.labels.fontName = font
    plot.valueAxis.labels.fontSize = 7
    every = [v for data in plot.data for v in data if v is not None]
    low, high = min(every), max(every)
    span = (high - low) or max(abs(high), 1.0)
    plot.valueAxis.valueMin = min(0.0, low) if chart.kind == "bar" else low - 0.1 * span
    plot.valueAxis.valueMax = high + 0.1 * span
    for index in range(len(series)):
        colour = (
            palette[index % len(palette)]
            if index < len(chart.series)
            else colors.HexColor("#99f6e4")
        )
        if chart.kind == "bar":
            plot.bars[index].fillColor = colour
            plot.bars[index].strokeColor = None
        else:
            plot.lines[index].strokeColor = colour
            plot.lines[index].strokeWidth = 1.6 if index < len(chart.series) else 0.8
            if index >= len(chart.series):
                plot.lines[index].strokeDashArray = [2, 2]
    drawing.add(plot)
    legend = Legend()
    legend.fontName, legend.fontSize = font, 7
    legend.x, legend.y = 40, height - 6
    legend.alignment, legend.columnMaximum, legend.dx, legend.dy = "right", 1, 8, 6
    legend.colorNamePairs = [
        (palette[i % len(palette)] if i < len(chart.series) else colors.HexColor("#99f6e4"), name)
        for i, (name, _data) in enumerate(series)
    ]
    drawing.add(legend)
    return drawing


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _is_number(value: Value) -> bool:
    if isinstance(value, int | float):
        return True
    text = str(value or "").replace(",", "").replace("%", "").strip()
    try:
        float(text)
    except ValueError:
        return False
    return True


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


# --- xlsx --------------------------------------------------------------------------------


def render_xlsx(document: Document) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    summary = workbook.active
    summary.title = "概要"
    summary.append([document.title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([document.subtitle])
    summary.append([f"数据截至 {document.as_of}"])
    summary.append([])
    for section in document.sections:
        summary.append([section.title])
        summary.cell(row=summary.max_row, column=1).font = Font(bold=True)
        for text in section.paragraphs:
            summary.append([text])
            summary.cell(row=summary.max_row, column=1).alignment = Alignment(wrap_text=True)
        summary.append([])
    summary.column_dimensions["A"].width = 100
    names: set[str] = {summary.title}

    for section in document.sections:
        for table in section.tables:
            sheet = workbook.create_sheet(_sheet_name(table.title, names))
            sheet.append(table.columns)
            for c in sheet[1]:
                c.font = Font(bold=True)
            for row in table.rows:
                sheet.append([_cell_value(v) for v in row])
            if not table.rows:
                sheet.append([NO_DATA])
            sheet.freeze_panes = "A2"
            _fit(sheet, [table.columns, *table.rows])
        for chart in section.charts:
            sheet = workbook.create_sheet(_sheet_name(f"图 {chart.title}", names))
            sheet.append(["", *(name for name, _data in chart.series)])
            for index, category in enumerate(chart.categories):
                sheet.append(
                    [
                        category,
                        *(data[index] if index < len(data) else None for _n, data in chart.series),
                    ]
                )
            _fit(sheet, [["", *(n for n, _d in chart.series)], *[[c] for c in chart.categories]])
            if (
                not any(v is not None for _n, data in chart.series for v in data)
                or not chart.categories
            ):
                sheet.cell(row=1, column=1, value=NO_DATA)
                continue
            native = BarChart() if chart.kind == "bar" else LineChart()
            native.title = chart.title
            rows = len(chart.categories) + 1
            native.add_data(
                Reference(sheet, min_col=2, max_col=1 + len(chart.series), min_row=1, max_row=rows),
                titles_from_data=True,
            )
            native.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows))
            native.width, native.height = 22, 9
            sheet.add_chart(native, f"{chr(ord('B') + len(chart.series) + 1)}2")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_value(value: Value) -> Value:
    """Numbers stay numbers; numeric text ("1,234", "87.5") becomes a number."""
    if isinstance(value, str):
        text = value.replace(",", "").strip()
        try:
            return int(text) if text.lstrip("-").isdigit() else float(text)
        except ValueError:
            return value
    return value


def _sheet_name(title: str, taken: set[str]) -> str:
    base = "".join("-" if c in "[]:*?/\\" else c for c in title)[:28] or "表"
    name, counter = base, 2
    while name in taken:
        name = f"{base[:26]}{counter}"
        counter += 1
    taken.add(name)
    return name


def _fit(sheet, rows: list[list[Value]]) -> None:
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in rows:
        for index, value in enumerate(row, start=1):
            text = _text(value)
            width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
            widths[index] = max(widths.get(index, 0), width)
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
