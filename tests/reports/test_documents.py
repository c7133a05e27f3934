"""The report renderer: Chinese text extracted back from the PDF, the font embedded,
pagination, empty tables and charts; the workbook's sheets, numbers and charts."""

import io

from openpyxl import load_workbook
from pypdf import PdfReader

from ganzhi.reports.documents import Chart, Document, Section, Table, render_pdf, render_xlsx


def sample(rows: int = 3) -> Document:
    return Document(
        title="月度品质报告 · 翠湖花园 · 2026-10",
        subtitle="业主满意度、服务承诺与投诉",
        as_of="2026-11-01 08:00",
        sections=[
            Section(
                "本月概况",
                paragraphs=["与上月相比，满意度指数显著上升。" * 8],
                tables=[
                    Table(
                        "岗位",
                        ["岗位", "指数", "n"],
                        [["客服", "87.35", 120], ["工程维修", 81.5, 98], ["秩序维护", None, 12]][
                            :rows
                        ]
                        + [[f"岗位{i}", f"{i}.5", i] for i in range(max(rows - 3, 0))],
                    ),
                    Table("空表", ["月份", "数量"], []),
                ],
                charts=[
                    Chart(
                        "满意度指数（按月）",
                        "line",
                        ["2026-09", "2026-10"],
                        [("指数", [84.0, 87.35])],
                        band=([82.0, 85.1], [86.0, 89.6]),
                    ),
                    Chart("空图", "bar", ["a", "b"], [("x", [None, None])]),
                ],
            ),
            Section("空的一节"),
        ],
    )


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_text_is_chinese_and_extractable():
    _reader, text = pdf_text(render_pdf(sample()))
    for expected in (
        "月度品质报告 · 翠湖花园 · 2026-10",
        "本月概况",
        "客服",
        "87.35",
        "暂无数据",
        "第 1 页",
    ):
        assert expected in text, expected


def test_pdf_embeds_its_font():
    """The Chinese font is a TrueType subset embedded in the file (FontFile2) with a
    ToUnicode map; the only other font is the canvas's standard Helvetica default."""
    reader, _text = pdf_text(render_pdf(sample()))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    chinese = [f for name, f in fonts.items() if "WenQuanYiMicroHei" in name]
    assert chinese
    for font in chinese:
        assert "/FontFile2" in font["/FontDescriptor"].get_object()
        assert "/ToUnicode" in font
    assert set(fonts) - {str(f["/BaseFont"]) for f in chinese} <= {"/Helvetica"}


def test_long_tables_break_across_pages():
    short = len(PdfReader(io.BytesIO(render_pdf(sample(3)))).pages)
    reader, text = pdf_text(render_pdf(sample(2000)))
    assert len(reader.pages) > short + 10
    assert "第 2 页" in text and "岗位1996" in text


def test_workbook_has_sheets_numbers_and_charts():
    workbook = load_workbook(io.BytesIO(render_xlsx(sample())))
    assert workbook.sheetnames[:3] == ["概要", "岗位", "空表"]
    posts = workbook["岗位"]
    assert [c.value for c in posts[1]] == ["岗位", "指数", "n"]
    assert posts["B2"].value == 87.35 and isinstance(posts["C2"].value, int)
    assert workbook["空表"]["A2"].value == "暂无数据"
    chart_sheet = workbook["图 满意度指数（按月）"]
    assert len(chart_sheet._charts) == 1
    assert workbook["图 空图"]["A1"].value == "暂无数据"
