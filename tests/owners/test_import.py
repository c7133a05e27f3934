"""Registry import: all or nothing, row-level errors in Chinese, idempotent."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook

from ganzhi.core.errors import DomainError
from ganzhi.core.spreadsheets import read_sheet
from ganzhi.org.models import Building, Unit
from ganzhi.owners.importing import ImportRejected, import_households
from ganzhi.owners.models import Household, HouseholdMember, ImportJob, Owner

HEADER = ["项目", "楼栋", "单元", "房号", "建筑面积", "业主姓名", "手机号", "入住日期"]
GOOD_ROWS = [
    ["翠湖花园", "3栋", "1", "0101", "89.5", "陈建国", "13900001111", "2021-05-01"],
    ["翠湖花园", "3栋", "1", "0101", "89.5", "林秀英", "13900002222", "2021-05-01"],
    ["翠湖花园", "3栋", "1", "0102", "120", "黄磊", "139 0000 3333", "2022/10/8"],
    ["翠湖花园", "3栋", "2", "1501", "143.27", "周杰", "+8613900004444", "20230115"],
    ["翠湖花园", "5栋", "1", "0201", "76", "", "", ""],
]


def write_csv(tmp_path, rows, *, header=HEADER, encoding="utf-8-sig", name="registry.csv"):
    path = tmp_path / name
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(tmp_path, rows, *, header=HEADER):
    path = tmp_path / "registry.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def snapshot(project):
    """Every registry row of the project, as comparable tuples."""
    return (
        sorted(Building.objects.filter(project=project).values_list("id", "name", "floors")),
        sorted(
            Unit.objects.filter(project=project).values_list(
                "id", "building_id", "entrance", "number", "floor", "area", "type", "status"
            )
        ),
        sorted(
            Household.objects.filter(project=project).values_list(
                "id", "unit_id", "move_in_date", "is_current"
            )
        ),
        sorted(
            HouseholdMember.objects.filter(household__project=project).values_list(
                "id", "household_id", "owner_id", "relation", "is_primary_contact"
            )
        ),
        sorted(Owner.objects.values_list("id", "name", "phone", "id_number")),
    )


def test_good_file_imports_everything(world, tmp_path):
    result = import_households(
        project=world.project_a, sheet=read_sheet(write_csv(tmp_path, GOOD_ROWS))
    )
    assert result.rows == 5
    assert result.created == {
        "buildings": 2,
        "units": 4,
        "households": 3,
        "owners": 4,
        "household_members": 4,
    } | {
        k: v
        for k, v in result.created.items()
        if k not in {"buildings", "units", "households", "owners", "household_members"}
    }
    unit = Unit.objects.get(project=world.project_a, building__name="3栋", number="0101")
    assert unit.floor == 1 and str(unit.area) == "89.50" and unit.status == "occupied"
    household = Household.objects.get(unit=unit)
    members = household.memberships.order_by("id")
    assert [m.owner.name for m in members] == ["陈建国", "林秀英"]
    assert [m.is_primary_contact for m in members] == [True, False]
    assert Owner.objects.get(name="黄磊").phone == "13900003333"
    assert Owner.objects.get(name="周杰").phone == "13900004444"
    assert str(Household.objects.get(unit__number="0102").move_in_date) == "2022-10-08"
    vacant = Unit.objects.get(building__name="5栋", number="0201")
    assert vacant.status == "vacant" and not vacant.households.exists()


def test_importing_the_same_file_twice_changes_nothing(world, tmp_path):
    path = write_xlsx(tmp_path, GOOD_ROWS)
    import_households(project=world.project_a, sheet=read_sheet(path))
    before = snapshot(world.project_a)
    again = import_households(project=world.project_a, sheet=read_sheet(path))
    assert not again.changed, again.as_dict()
    assert snapshot(world.project_a) == before


def test_changed_values_update_in_place(world, tmp_path):
    import_households(project=world.project_a, sheet=read_sheet(write_csv(tmp_path, GOOD_ROWS)))
    rows = [list(r) for r in GOOD_ROWS]
    rows[2][4] = "121.5"
    result = import_households(
        project=world.project_a, sheet=read_sheet(write_csv(tmp_path, rows, name="v2.csv"))
    )
    assert result.updated["units"] == 1
    assert str(Unit.objects.get(number="0102").area) == "121.50"


def test_one_bad_row_writes_nothing_and_names_the_row(world, tmp_path):
    before = snapshot(world.project_a)
    rows = [*GOOD_ROWS, ["翠湖花园", "6栋", "1", "0301", "abc", "吴刚", "1380000", "2023-13-45"]]
    with pytest.raises(ImportRejected) as caught:
        import_households(project=world.project_a, sheet=read_sheet(write_csv(tmp_path, rows)))
    errors = {(e.row, e.column): e.message for e in caught.value.errors}
    assert set(errors) == {(7, "建筑面积"), (7, "手机号"), (7, "入住日期")}
    assert errors[(7, "手机号")] == "不是 11 位中国大陆手机号。"
    assert "未导入" in caught.value.message
    assert snapshot(world.project_a) == before


def test_missing_required_column_is_reported(world, tmp_path):
    header = ["项目", "单元", "房号"]
    path = write_csv(tmp_path, [["翠湖花园", "1", "0101"]], header=header)
    with pytest.raises(ImportRejected) as caught:
        import_households(project=world.project_a, sheet=read_sheet(path))
    assert [(e.row, e.column) for e in caught.value.errors] == [(1, "楼栋")]


def test_rows_for_another_project_are_refused(world, tmp_path):
    rows = [["锦绣华庭", "1栋", "1", "0101", "80", "", "", ""]]
    with pytest.raises(ImportRejected) as caught:
        import_households(project=world.project_a, sheet=read_sheet(write_csv(tmp_path, rows)))
    assert caught.value.errors[0].column == "项目"


def test_phone_already_registered_to_someone_else(world, tmp_path):
    rows = [["翠湖花园", "3栋", "1", "0101", "89", "王五", "13812341234", ""]]  # 张伟's number
    with pytest.raises(ImportRejected) as caught:
        import_households(project=world.project_a, sheet=read_sheet(write_csv(tmp_path, rows)))
    assert "张伟" in caught.value.errors[0].message


def test_duplicate_rows_in_the_file(world, tmp_path):
    rows = [GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0]]
    with pytest.raises(ImportRejected) as caught:
        import_households(project=world.project_a, sheet=read_sheet(write_csv(tmp_path, rows)))
    assert [e.row for e in caught.value.errors] == [4]
    assert "第 2 行" in caught.value.errors[0].message


def test_gbk_csv_from_chinese_excel(world, tmp_path):
    path = write_csv(tmp_path, GOOD_ROWS[:1], encoding="gbk")
    assert import_households(project=world.project_a, sheet=read_sheet(path)).rows == 1


def test_unsupported_or_empty_files(world, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(DomainError) as caught:
        read_sheet(text)
    assert caught.value.code == "unsupported_file"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DomainError):
        read_sheet(empty)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(DomainError) as caught:
        read_sheet(broken)
    assert caught.value.code == "bad_file"
    header_only = write_csv(tmp_path, [], name="header.csv")
    with pytest.raises(DomainError) as caught:
        import_households(project=world.project_a, sheet=read_sheet(header_only))
    assert caught.value.code == "empty_file"


# --- through the web page and the real background worker --------------------------------


def run_worker():
    """The real django-tasks database worker, processing what is queued, then exiting.

    Tests that run it use a transactional database: the worker commits and closes
    connections as it does in production.
    """
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def upload(client, project, path):
    with open(path, "rb") as handle:
        data = SimpleUploadedFile(path.name, handle.read())
    return client.post("/owners/import/", {"project": str(project.public_id), "file": data})


@pytest.mark.django_db(transaction=True)
def test_web_import_runs_in_the_worker(world, tmp_path):
    client = world.client_for(world.manager)
    response = upload(client, world.project_a, write_csv(tmp_path, GOOD_ROWS))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "pending"
    run_worker()
    job.refresh_from_db()
    assert job.status == "succeeded", job.summary
    assert job.summary["rows"] == 5
    page = client.get(response.url).content.decode()
    assert "已导入 5 行" in page
    partial = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section id="import-status"')


@pytest.mark.django_db(transaction=True)
def test_web_import_of_a_bad_file_shows_the_row_errors(world, tmp_path):
    client = world.client_for(world.manager)
    rows = [*GOOD_ROWS, ["翠湖花园", "6栋", "1", "", "80", "", "", ""]]
    response = upload(client, world.project_a, write_csv(tmp_path, rows))
    run_worker()
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.errors == [{"row": 7, "column": "房号", "message": "房号为必填项。"}]
    assert not Building.objects.filter(project=world.project_a, name="3栋").exists()
    page = client.get(response.url).content.decode()
    assert "房号为必填项。" in page


def test_web_import_refuses_other_projects_and_roles(world, tmp_path):
    path = write_csv(tmp_path, GOOD_ROWS)
    response = upload(world.client_for(world.manager), world.project_b, path)
    assert response.status_code == 200  # form error: project B is not a choice
    assert not ImportJob.objects.exists()
    assert upload(world.client_for(world.frontline), world.project_a, path).status_code == 403
    text = tmp_path / "x.txt"
    text.write_text("x")
    page = upload(world.client_for(world.manager), world.project_a, text)
    assert "仅支持导入 .csv 和 .xlsx 文件" in page.content.decode()
    assert not ImportJob.objects.exists()


def test_import_job_pages_are_scoped(world, tmp_path):
    upload(world.client_for(world.manager), world.project_a, write_csv(tmp_path, GOOD_ROWS))
    job = ImportJob.objects.get()
    url = f"/owners/import/{job.public_id}/"
    assert world.client_for(world.hq).get(url).status_code == 200
    assert world.client_for(world.staff).get(url).status_code == 404
    assert world.client_for(world.outsider).get(url).status_code == 404


# --- through the CLI -----------------------------------------------------------------


def test_cli_import(world, tmp_path, capsys):
    from ganzhi.cli import main

    assert (
        main(
            [
                "import",
                "households",
                str(write_csv(tmp_path, GOOD_ROWS)),
                "--project",
                "A",
                "--company",
                "shifan",
            ]
        )
        == 0
    )
    assert "5 rows" in capsys.readouterr().out
    bad = write_csv(tmp_path, [["翠湖花园", "", "1", "0101", "", "", "", ""]], name="bad.csv")
    assert main(["import", "households", str(bad), "--project", "A", "--company", "shifan"]) == 2
    err = capsys.readouterr().err
    assert "楼栋" in err and "2" in err
    assert main(["import", "households", str(bad), "--project", "NOPE"]) == 2


def test_co_owners_with_different_move_in_dates_import_idempotently(world, tmp_path):
    rows = [
        ["翠湖花园", "3栋", "1", "0101", "89.5", "陈建国", "13900001111", "2021-05-01"],
        ["翠湖花园", "3栋", "1", "0101", "89.5", "林秀英", "13900002222", "2020-03-01"],
    ]
    path = write_csv(tmp_path, rows)
    import_households(project=world.project_a, sheet=read_sheet(path))
    household = Household.objects.get(unit__number="0101", unit__building__name="3栋")
    assert str(household.move_in_date) == "2020-03-01"  # the earliest date given
    again = import_households(project=world.project_a, sheet=read_sheet(path))
    assert not again.changed, again.as_dict()
    reversed_path = write_csv(tmp_path, rows[::-1], name="reversed.csv")
    assert not import_households(project=world.project_a, sheet=read_sheet(reversed_path)).changed
