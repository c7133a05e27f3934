"""Imports of 问卷星 / 腾讯问卷 exports: mapping suggestion, values, all-or-nothing with row
errors, idempotent re-import, quality checks, the web flow with the worker, and the CLI."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from ganzhi.core.roles import Role
from ganzhi.core.spreadsheets import read_sheet
from ganzhi.owners.importing import ImportRejected
from ganzhi.surveys.imports import (
    detect_tool,
    import_responses,
    mapping_for,
    mapping_save,
    parse_datetime,
    parse_duration,
    suggest_mapping,
)
from ganzhi.surveys.models import (
    Answer,
    CallbackTask,
    ImportMapping,
    Response,
    ResponseImport,
)
from ganzhi.surveys.quality import identity_hash
from tests.conftest import make_user
from tests.surveys.test_quality import make_questionnaire

DATA = Path(__file__).parent / "data"
WJX_CSV = DATA / "wjx_export.csv"
WJX_XLSX = DATA / "wjx_export.xlsx"
TENCENT_CSV = DATA / "tencent_export.csv"
TENCENT_XLSX = DATA / "tencent_export.xlsx"
BAD = DATA / "wjx_bad_row.csv"

EXPECTED_TARGETS = [
    "meta:building",
    "meta:unit",
    "r1",
    "r2",
    "r3",
    "r4",
    "r5",
    "r6",
    "nps",
    "comment",
    "meta:phone",
]


@pytest.fixture
def survey(world):
    return make_questionnaire(world.company)


def run(survey, path, **kwargs):
    kwargs.setdefault("project", survey_project(survey))
    return import_responses(questionnaire=survey, sheet=read_sheet(path), **kwargs)


def survey_project(survey):
    from ganzhi.org.models import Project

    return Project.objects.get(company=survey.company, code="A")


def counts():
    return Response.objects.count(), Answer.objects.count()


# --- mapping -----------------------------------------------------------------------------


def test_suggestion_for_a_wjx_export(survey):
    header = read_sheet(WJX_CSV).header
    assert detect_tool(header) == "wjx"
    suggested = {s.column: s.target for s in suggest_mapping(survey, header)}
    assert [suggested[h] for h in header[:6]] == [
        "meta:external_id",
        "meta:submitted_at",
        "meta:duration",
        "",  # 来源
        "",  # 来源详情
        "meta:ip",
    ]
    assert [suggested[h] for h in header[6:]] == EXPECTED_TARGETS


def test_suggestion_for_a_tencent_export(survey):
    header = read_sheet(TENCENT_CSV).header
    assert detect_tool(header) == "tencent"
    suggested = {s.column: s.target for s in suggest_mapping(survey, header)}
    assert [suggested[h] for h in header[:6]] == [
        "meta:external_id",
        "meta:started_at",
        "meta:submitted_at",
        "meta:duration",
        "meta:ip",
        "meta:device",
    ]
    assert [suggested[h] for h in header[6:]] == EXPECTED_TARGETS


def test_suggestion_finds_reworded_questions(survey):
    header = [
        "序号",
        "提交答卷时间",
        "Q3. 小区保洁满意度【单选题】",
        "向亲友推荐物业的可能性（0-10分）",
    ]
    suggestion = {s.column: (s.target, s.score) for s in suggest_mapping(survey, header)}
    assert suggestion[header[2]][0] == "r1"
    assert suggestion[header[3]][0] == "nps"
    assert 0.6 <= suggestion[header[2]][1] < 1


def test_saved_mapping_wins_over_the_suggestion(survey, world):
    header = read_sheet(WJX_CSV).header
    mapping = mapping_for(survey, "wjx", header)
    mapping["10、您对我们还有哪些意见和建议？"] = ""  # do not import the comments
    mapping_save(actor=world.hq, questionnaire=survey, tool="wjx", columns=mapping)
    assert ImportMapping.objects.get().columns["10、您对我们还有哪些意见和建议？"] == ""
    assert mapping_for(survey, "wjx", header)["10、您对我们还有哪些意见和建议？"] == ""
    assert (
        mapping_for(survey, "tencent", read_sheet(TENCENT_CSV).header)[
            "Q10 您对我们还有哪些意见和建议？"
        ]
        == "comment"
    )
    run(survey, WJX_CSV, tool="wjx")
    assert not Answer.objects.filter(question__code="comment").exists()


def test_mapping_must_be_complete(survey, world):
    from ganzhi.core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        mapping_save(
            actor=world.hq,
            questionnaire=survey,
            tool="wjx",
            columns={"a": "r1", "b": "r1", "c": "nope"},
        )
    assert set(caught.value.details) == {"b", "c", ""}
    assert not ImportMapping.objects.exists()


# --- importing ---------------------------------------------------------------------------


def test_wjx_csv(world, survey):
    result = run(survey, WJX_CSV)
    assert result.as_dict() == {
        "rows": 6,
        "created": 6,
        "unchanged": 0,
        "answers": 6 * 7 + 5,  # 6 ratings + recommend each, 5 comments (one skipped)
        "linked": 3,
        "flagged": 1,
        "callbacks": 0,  # March answers are history: no calls
    }
    first = Response.objects.get(external_id="wjx:1@20260315090501")
    assert first.source == "import" and first.project == world.project_a
    assert first.household == world.household_x and first.building == world.building_a
    assert first.duration_seconds == 185
    assert timezone.localtime(first.submitted_at).strftime("%Y-%m-%d %H:%M:%S") == (
        "2026-03-15 09:05:01"
    )
    assert first.started_at == first.submitted_at - dt.timedelta(seconds=185)
    assert first.phone_hash == identity_hash("13812341234")
    assert first.address_hash and first.device_hash == ""
    scores = dict(first.answers.values_list("question__code", "number"))
    assert scores == {
        "nps": 9,
        "r1": 5,
        "r2": 4,
        "r3": 4,
        "r4": 3,
        "r5": 5,
        "r6": 4,
        "comment": None,
    }
    assert first.answers.get(question__code="comment").text.startswith("保洁阿姨")
    second = Response.objects.get(external_id__startswith="wjx:2@")
    assert second.household.unit.number == "1202" and second.phone_hash == ""
    third = Response.objects.get(external_id__startswith="wjx:3@")
    assert third.household is None and third.is_anonymous
    assert not third.answers.filter(question__code="comment").exists()  # (跳过)
    straight = Response.objects.get(external_id__startswith="wjx:4@")
    assert straight.excluded and [f["code"] for f in straight.quality_flags] == ["straight_liner"]


@pytest.mark.parametrize("path", [WJX_CSV, WJX_XLSX, TENCENT_CSV, TENCENT_XLSX])
def test_every_fixture_imports_the_same_answers(world, survey, path):
    result = run(survey, path)
    assert (result.rows, result.created, result.answers, result.linked) == (6, 6, 47, 3)
    numbers = sorted(Answer.objects.filter(question__code="nps").values_list("number", flat=True))
    assert numbers == [3, 6, 7, 8, 9, 10]
    durations = sorted(Response.objects.values_list("duration_seconds", flat=True))
    assert durations == [95, 136, 178, 185, 240, 312]


def test_reimport_changes_nothing(world, survey):
    run(survey, WJX_CSV)
    before = (
        counts(),
        sorted(Response.objects.values_list("id", "external_id", "excluded")),
        sorted(Answer.objects.values_list("id", "number", "text")),
    )
    again = run(survey, WJX_CSV)
    assert (again.created, again.unchanged, again.answers) == (0, 6, 0)
    # the .xlsx of the same wjx survey is the same six submissions
    assert run(survey, WJX_XLSX).created == 0
    after = (
        counts(),
        sorted(Response.objects.values_list("id", "external_id", "excluded")),
        sorted(Answer.objects.values_list("id", "number", "text")),
    )
    assert after == before
    # the Tencent survey is another source: its numbers do not collide
    assert run(survey, TENCENT_CSV).created == 6


def test_one_bad_row_writes_nothing_and_names_it(world, survey):
    with pytest.raises(ImportRejected) as caught:
        run(survey, BAD)
    assert [(e.row, e.column) for e in caught.value.errors] == [(5, "3、您对小区保洁的整体满意度")]
    assert caught.value.errors[0].message
    assert counts() == (0, 0)


def test_several_problems_are_all_reported(world, survey, tmp_path):
    sheet = read_sheet(WJX_CSV)
    rows = [list(r) for r in sheet.rows]
    rows[0][1] = "昨天"  # time
    rows[1][2] = "很久"  # duration
    rows[2][14] = "11"  # recommend out of range
    rows[4][0], rows[4][1] = rows[5][0], rows[5][1]  # a duplicate of the last row
    path = write_csv(tmp_path, sheet.header, rows)
    with pytest.raises(ImportRejected) as caught:
        run(survey, path)
    assert sorted((e.row, e.column) for e in caught.value.errors) == [
        (2, "提交答卷时间"),
        (3, "所用时间"),
        (4, "9、您向亲友推荐我们物业的可能性有多大？"),
        (7, "序号"),
    ]
    assert counts() == (0, 0)


def test_missing_tool_columns_are_reported_on_the_header_row(world, survey, tmp_path):
    sheet = read_sheet(WJX_CSV)
    header = list(sheet.header)
    header[1] = "时间戳"
    path = write_csv(tmp_path, header, sheet.rows)
    with pytest.raises(ImportRejected) as caught:
        run(survey, path, tool="wjx")
    assert [e.row for e in caught.value.errors] == [1]


def test_project_from_a_column_and_scope(world, survey, tmp_path):
    sheet = read_sheet(WJX_CSV)
    header = ["项目", *sheet.header]
    rows = [["翠湖花园", *r] for r in sheet.rows]
    rows[5][0] = "锦绣华庭"  # project B
    path = write_csv(tmp_path, header, rows)
    result = run(survey, path, project=None, user=world.hq)
    assert result.created == 6
    assert Response.objects.filter(project=world.project_b).count() == 1
    Response.objects.all().delete()
    with pytest.raises(ImportRejected) as caught:  # the manager of A cannot write into B
        run(survey, path, project=None, user=world.manager)
    assert [(e.row, e.column) for e in caught.value.errors] == [(7, "项目")]


def test_recent_detractors_get_call_backs_and_staff_phones_are_flagged(wo, survey, tmp_path):
    make_user(wo.company, "13900009999", Role.FRONTLINE, projects=[wo.project_a])
    sheet = read_sheet(WJX_CSV)
    rows = [list(r) for r in sheet.rows]
    yesterday = timezone.localtime() - dt.timedelta(days=1)
    for i, row in enumerate(rows):
        row[1] = (yesterday + dt.timedelta(minutes=i)).strftime("%Y/%m/%d %H:%M:%S")
    rows[4][16] = "139 0000 9999"  # a staff member answered
    path = write_csv(tmp_path, sheet.header, rows)
    result = run(survey, path)
    # row 2 (1202, recommend 3, two low items): a detractor task and a low-item task
    tasks = CallbackTask.objects.all()
    assert result.callbacks == 2 == tasks.count()
    assert {t.household.unit.number for t in tasks} == {"1202"}
    staff_answer = Response.objects.get(external_id__startswith="wjx:5@")
    assert staff_answer.excluded and staff_answer.quality_flags[0]["code"] == "staff_phone"


# --- values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("125秒", 125),
        ("2分5秒", 125),
        ("2分钟5秒", 125),
        ("1小时2分5秒", 3725),
        ("00:02:05", 125),
        ("2:05", 125),
        ("125", 125),
        (125.0, 125),
        ("3分", 180),
    ],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "很久", "-5", "2分5"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_times():
    expected = timezone.make_aware(dt.datetime(2026, 3, 5, 9, 5, 1))
    for value in (
        "2026/3/5 9:05:01",
        "2026-03-05 09:05:01",
        "2026年3月5日 09:05:01",
        dt.datetime(2026, 3, 5, 9, 5, 1),
    ):
        assert parse_datetime(value) == expected
    serial = 46086 + (9 * 3600 + 5 * 60 + 1) / 86400  # Excel's number for that time
    assert parse_datetime(serial) == expected
    with pytest.raises(ValueError):
        parse_datetime("昨天")


# --- helpers ------------------------------------------------------------------------------


def write_csv(tmp_path, header, rows, name="export.csv", encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(["" if c is None else c for c in row] for row in rows)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


# --- through the web pages and the real background worker ---------------------------------


def upload(client, survey, path, *, tool="wjx", project=None):
    with open(path, "rb") as handle:
        data = SimpleUploadedFile(path.name, handle.read())
    form = {"questionnaire": str(survey.public_id), "tool": tool, "file": data}
    if project is not None:
        form["project"] = str(project.public_id)
    return client.post("/surveys/imports/", form)


def confirm(client, job, mapping=None):
    """POST the mapping page as shown (its suggestion), with ``mapping`` changes."""
    header = read_sheet(DATA / job.original_name).header
    chosen = mapping_for(job.questionnaire, job.tool, header)
    chosen.update(mapping or {})
    form = {f"col-{i}": chosen.get(column, "") for i, column in enumerate(header)}
    return client.post(f"/surveys/imports/{job.public_id}/mapping/", form)


@pytest.mark.django_db(transaction=True)
def test_web_import_runs_in_the_worker(world, survey):
    client = world.client_for(world.manager)
    answer = upload(client, survey, WJX_XLSX, project=world.project_a)
    job = ResponseImport.objects.get()
    assert answer.status_code == 302 and answer.url.endswith(f"{job.public_id}/mapping/")
    page = client.get(answer.url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="col-8"' in body and '<option value="r1" selected>' in body
    assert confirm(client, job).status_code == 302
    assert ImportMapping.objects.get(questionnaire=survey, tool="wjx").columns
    job.refresh_from_db()
    assert job.status == "pending" and not Response.objects.exists()
    run_worker()
    job.refresh_from_db()
    assert job.status == "succeeded", job.summary
    assert job.summary["created"] == 6 and job.summary["flagged"] == 1
    result = client.get(f"/surveys/imports/{job.public_id}/")
    assert 'data-status="succeeded"' in result.content.decode()
    partial = client.get(f"/surveys/imports/{job.public_id}/", headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<section id="import-status"')
    # the mapping page of a started import goes to the result
    assert client.get(f"/surveys/imports/{job.public_id}/mapping/").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_web_import_of_a_bad_file_shows_the_row_errors(world, survey):
    client = world.client_for(world.manager)
    upload(client, survey, BAD, project=world.project_a)
    job = ResponseImport.objects.get()
    confirm(client, job)
    run_worker()
    job.refresh_from_db()
    assert job.status == "failed"
    assert [(e["row"], e["column"]) for e in job.errors] == [(5, "3、您对小区保洁的整体满意度")]
    assert not Response.objects.exists()
    page = client.get(f"/surveys/imports/{job.public_id}/").content.decode()
    assert 'class="import-errors"' in page and job.errors[0]["message"] in page


def test_mapping_page_refuses_an_incomplete_mapping(world, survey):
    client = world.client_for(world.hq)
    upload(client, survey, TENCENT_CSV, tool="tencent")
    job = ResponseImport.objects.get()
    answer = confirm(client, job, {"编号": ""})  # no submission number
    assert answer.status_code == 200
    job.refresh_from_db()
    assert job.summary == {"stage": "mapping"} and not ImportMapping.objects.exists()


def test_web_import_permissions(world, survey):
    assert upload(world.client_for(world.frontline), survey, WJX_CSV).status_code == 403
    assert upload(world.client_for(world.owner), survey, WJX_CSV).status_code == 403
    assert upload(world.client_for(world.staff), survey, WJX_CSV).status_code == 403
    # project B is not a choice for the manager of A
    answer = upload(world.client_for(world.manager), survey, WJX_CSV, project=world.project_b)
    assert answer.status_code == 200 and not ResponseImport.objects.exists()
    upload(world.client_for(world.manager), survey, WJX_CSV, project=world.project_a)
    job = ResponseImport.objects.get()
    url = f"/surveys/imports/{job.public_id}/"
    assert world.client_for(world.hq).get(url).status_code == 200
    assert world.client_for(world.staff).get(url).status_code == 404  # project B's service
    assert world.client_for(world.outsider).get(url).status_code == 404
    assert world.client_for(world.owner).get(url).status_code == 403
    assert world.client_for(world.staff).get(url + "mapping/").status_code == 403
    assert world.client_for(world.outsider).get(url + "mapping/").status_code == 404


# --- through the CLI ------------------------------------------------------------------------


def test_cli_import(world, survey, capsys):
    from ganzhi.cli import main

    args = ["import", "responses", str(WJX_CSV), "--survey", str(survey.public_id)]
    assert main([*args, "--project", "A"]) == 0
    out = capsys.readouterr().out
    assert "created 6" in out and "rows 6" in out
    assert main([*args, "--project", "A", "--tool", "wjx"]) == 0  # again: nothing new
    assert "created 0" in capsys.readouterr().out
    assert counts() == (6, 47)
    bad = ["import", "responses", str(BAD), "--survey", str(survey.public_id), "--project", "A"]
    assert main(bad) == 2
    err = capsys.readouterr().err
    assert "5\t3、您对小区保洁的整体满意度" in err
    assert main([*args]) == 2  # no project given and no project column: every row refused
    assert main(["import", "responses", str(WJX_CSV), "--survey", "nope"]) == 2
    assert main([*args, "--project", "Z"]) == 2  # another company's project
    assert counts() == (6, 47)


def test_choices_and_expectation_columns(world, survey, tmp_path):
    from ganzhi.surveys.models import Question

    Question.objects.create(
        questionnaire=survey,
        code="channel",
        type=Question.Type.MULTIPLE,
        text="您通常通过哪些方式联系物业？",
        options=[
            {"value": "phone", "label": "电话"},
            {"value": "wechat", "label": "微信"},
            {"value": "visit", "label": "到服务中心"},
        ],
        sort_order=50,
    )
    Question.objects.create(
        questionnaire=survey,
        code="ep1",
        type=Question.Type.EXPECTATION_PERCEPTION,
        text="保安巡逻的及时性",
        sort_order=51,
    )
    header = ["序号", "提交答卷时间", "12、您通常通过哪些方式联系物业？", "期望", "实际", "9、推荐"]
    rows = [["1", "2026/3/15 9:05:01", "电话┋微信", "5", "满意", "9"]]
    path = write_csv(tmp_path, header, rows)
    mapping = {
        "序号": "meta:external_id",
        "提交答卷时间": "meta:submitted_at",
        "12、您通常通过哪些方式联系物业？": "channel",
        "期望": "ep1:expectation",
        "实际": "ep1",
        "9、推荐": "nps",
    }
    assert suggest_mapping(survey, header)[2].target == "channel"
    run(survey, path, tool="wjx", mapping=mapping)
    answer = Answer.objects.get(question__code="channel")
    assert answer.choices == ["phone", "wechat"]
    pair = Answer.objects.get(question__code="ep1")
    assert (pair.expectation, pair.number) == (5, 4)
    rows[0][0], rows[0][2] = "2", "短信"
    with pytest.raises(ImportRejected) as caught:
        run(survey, write_csv(tmp_path, header, rows, name="bad.csv"), tool="wjx", mapping=mapping)
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (2, "12、您通常通过哪些方式联系物业？")
    ]
