"""Writes the survey-tool export fixtures of tests/surveys/test_imports.py.

Run from the repository root: ``python tests/surveys/data/make_survey_exports.py``.
The files mimic what 问卷星 (wjx) and 腾讯问卷 export for a property satisfaction survey
of project 翠湖花园 (the ``world`` persona's project A): wjx's "按选项文本导出" CSV
(UTF-8 with BOM) and .xlsx, Tencent's CSV (GB18030, as Chinese Excel saves it) and .xlsx,
and a wjx CSV with one bad row.
"""

import csv
import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent

QUESTIONS = [
    "您所在的楼栋",
    "您的房号",
    "您对小区保洁的整体满意度",
    "您对秩序维护（保安）服务的满意度",
    "您对绿化养护的满意度",
    "您对工程维修及时性的满意度",
    "您对客服人员服务态度的满意度",
    "您对公共设施设备维护的满意度",
    "您向亲友推荐我们物业的可能性有多大？",
    "您对我们还有哪些意见和建议？",
    "您的联系电话（选填）",
]

# building, room, six ratings, recommend, comment, phone
ANSWERS = [
    [
        "1栋",
        "1201",
        "非常满意",
        "满意",
        "满意",
        "一般",
        "非常满意",
        "满意",
        "9",
        "保洁阿姨很负责，楼道每天都很干净",
        "13812341234",
    ],
    [
        "1栋",
        "1202",
        "不满意",
        "一般",
        "满意",
        "非常不满意",
        "一般",
        "不满意",
        "3",
        "电梯经常坏，报修后三天才来人",
        "(空)",
    ],
    ["3栋", "0502", "5", "4", "4", "4", "5", "4", "8", "(跳过)", ""],
    [
        "1栋",
        "1201",
        "非常满意",
        "非常满意",
        "非常满意",
        "非常满意",
        "非常满意",
        "非常满意",
        "10",
        "很好",
        "",
    ],
    [
        "2栋",
        "0301",
        "满意",
        "满意",
        "一般",
        "满意",
        "满意",
        "一般",
        "7",
        "希望增加儿童游乐设施",
        "",
    ],
    ["", "", "一般", "不满意", "一般", "一般", "满意", "一般", "6", "停车位太少", ""],
]
WJX_META = [
    ("2026/3/15 9:05:01", "185秒", "手机提交", "微信", "36.112.10.21(北京-北京)"),
    ("2026/3/15 9:40:12", "136秒", "手机提交", "微信", "117.136.8.45(浙江-杭州)"),
    ("2026/3/15 10:02:45", "240秒", "手机提交", "直接访问", "223.104.3.77(广东-深圳)"),
    ("2026/3/15 12:18:30", "95秒", "电脑提交", "链接", "36.112.10.21(北京-北京)"),
    ("2026/3/16 8:01:09", "312秒", "手机提交", "微信", "183.14.22.9(广东-深圳)"),
    ("2026/3/16 19:22:40", "178秒", "手机提交", "微信", "113.87.161.3(广东-深圳)"),
]
TENCENT_META = [
    ("2026-03-20 10:00:05", "2026-03-20 10:03:10", "3分5秒", "36.112.10.21", "oX7a01"),
    ("2026-03-20 11:15:00", "2026-03-20 11:17:16", "2分16秒", "117.136.8.45", "oX7a02"),
    ("2026-03-20 12:00:00", "2026-03-20 12:04:00", "4分0秒", "223.104.3.77", "oX7a03"),
    ("2026-03-21 08:00:00", "2026-03-21 08:01:35", "1分35秒", "36.112.10.21", "oX7a04"),
    ("2026-03-21 09:30:00", "2026-03-21 09:35:12", "5分12秒", "183.14.22.9", "oX7a05"),
    ("2026-03-21 20:00:00", "2026-03-21 20:02:58", "2分58秒", "113.87.161.3", "oX7a06"),
]


def wjx_header():
    numbered = [f"{i}、{text}" for i, text in enumerate(QUESTIONS, start=1)]
    return ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", *numbered]


def wjx_rows():
    return [
        [str(i), *meta, *answers]
        for i, (meta, answers) in enumerate(zip(WJX_META, ANSWERS, strict=True), start=1)
    ]


def tencent_header():
    numbered = [f"Q{i} {text}" for i, text in enumerate(QUESTIONS, start=1)]
    return ["编号", "开始答题时间", "结束答题时间", "答题时长", "IP", "用户ID", *numbered]


def tencent_rows():
    return [
        [str(1000 + i), *meta, *answers]
        for i, (meta, answers) in enumerate(zip(TENCENT_META, ANSWERS, strict=True), start=1)
    ]


def write_csv(path: Path, header, rows, encoding: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_xlsx(path: Path, header, rows, *, time_columns=(), number_columns=()) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append(header)
    for row in rows:
        cells = list(row)
        for i in time_columns:
            cells[i] = dt.datetime.strptime(cells[i].replace("/", "-"), "%Y-%m-%d %H:%M:%S")
        for i in number_columns:
            if cells[i].isdigit():
                cells[i] = int(cells[i])
        sheet.append(cells)
    # fixed metadata so the file's bytes do not change from run to run
    workbook.properties.created = workbook.properties.modified = dt.datetime(2026, 3, 22)
    workbook.save(path)


def main() -> None:
    header, rows = wjx_header(), wjx_rows()
    write_csv(HERE / "wjx_export.csv", header, rows, "utf-8-sig")
    # wjx's .xlsx holds the submission number as a number and the time as text
    write_xlsx(HERE / "wjx_export.xlsx", header, rows, number_columns=(0, 14))
    bad = [list(r) for r in rows]
    bad[3][8] = "很好吧"  # 3、您对小区保洁的整体满意度: not a rating (spreadsheet row 5)
    write_csv(HERE / "wjx_bad_row.csv", header, bad, "utf-8-sig")
    header, rows = tencent_header(), tencent_rows()
    write_csv(HERE / "tencent_export.csv", header, rows, "gb18030")
    write_xlsx(HERE / "tencent_export.xlsx", header, rows, time_columns=(1, 2))


if __name__ == "__main__":
    main()
