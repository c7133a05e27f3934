"""The monthly quality report: asked for over HTTP, rendered by the real worker, its PDF
read back as text (Chinese included) and compared with the dashboard's figures."""

import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from ganzhi.core.roles import Role
from ganzhi.dashboards import reports
from ganzhi.dashboards.models import MonthlyReport
from ganzhi.org.models import Project, User
from ganzhi.rollups.models import SurveyRollup
from tests.conftest import make_user
from tests.demo_company import module_demo, savepoint

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    with module_demo(django_db_blocker, households=600, seed=11) as company:
        lead = make_user(company, "lead", Role.HQ)
        lead.email = "lead@example.com"
        lead.save()
        project = Project.objects.filter(company=company).order_by("code").first()
        make_user(company, "pm", Role.PROJECT_MANAGER, projects=[project])
        other = Project.objects.filter(company=company).exclude(pk=project.pk).first()
        make_user(company, "pm-other", Role.PROJECT_MANAGER, projects=[other])
        yield company


@pytest.fixture
def company(demo_module, settings):
    settings.GANZHI_MIN_SAMPLE = 10
    with savepoint(demo_module) as company:
        yield company


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def busiest_month(company, project) -> str:
    row = (
        SurveyRollup.objects.filter(project=project, level="all")
        .order_by("-responses", "-month")
        .first()
    )
    return f"{row.month:%Y-%m}"


def run_worker():
    """What the worker does with each queued report (the worker itself runs in
    test_report_worker.py: it closes the connection, which would end this module's
    shared transaction on PostgreSQL)."""
    for report in MonthlyReport.objects.filter(status=MonthlyReport.Status.QUEUED):
        reports.render_report(report.pk)


def request(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/dashboards/reports/", data)


def test_a_project_report_renders_chinese_text_and_the_dashboard_figures(
    company, django_capture_on_commit_callbacks
):
    project = Project.objects.filter(company=company).order_by("code").first()
    month = busiest_month(company, project)
    client = client_for("pm")
    response = request(
        client,
        django_capture_on_commit_callbacks,
        org=str(project.public_id),
        month=month,
        email="1",
    )
    assert response.status_code == 422  # the project manager has no email address
    response = request(
        client, django_capture_on_commit_callbacks, org=str(project.public_id), month=month
    )
    assert response.status_code == 302
    report = MonthlyReport.objects.get(project=project)
    assert report.status == MonthlyReport.Status.QUEUED
    run_worker()
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.DONE, report.error

    listing = client.get("/dashboards/reports/").content.decode()
    assert f"/dashboards/reports/{report.public_id}/pdf/" in listing
    pdf = client.get(f"/dashboards/reports/{report.public_id}/pdf/")
    assert pdf.status_code == 200
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages
    )
    assert "月度品质报告" in text
    assert project.name in text
    assert "满意度指数" in text and "工单" in text

    dashboard = client.get("/dashboards/", {"org": str(project.public_id), "period": month})
    shown = dict(
        re.findall(
            r'data-kpi="\d+">\s*<div class="label">([^<]+)</div>\s*'
            r'<div class="value[^"]*">(?:<a [^>]+>)?([^<]+)<',
            dashboard.content.decode(),
        )
    )
    for name in ("满意度指数", "NPS", "工单", "回答数"):
        assert shown[name] in text, (name, shown[name])

    workbook = client.get(f"/dashboards/reports/{report.public_id}/xlsx/")
    sheets = load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).sheetnames
    assert len(sheets) > 3


def test_bad_requests_are_refused_and_write_nothing(company, django_capture_on_commit_callbacks):
    project = Project.objects.filter(company=company).order_by("code").first()
    region = project.region
    client = client_for("lead")
    for data in (
        {"org": str(region.public_id), "month": "2026-01"},  # a region
        {"org": str(project.public_id), "month": "2026-Q1"},  # not a month
        {"org": str(project.public_id), "month": "2999-01"},  # the future
        {"org": str(project.public_id), "month": "junk"},
    ):
        assert request(client, django_capture_on_commit_callbacks, **data).status_code == 422, data
    assert (
        request(
            client_for("pm"),
            django_capture_on_commit_callbacks,
            org=str(company.public_id),
            month="2026-01",
        ).status_code
        == 404
    )  # a project manager cannot report on the company
    assert not MonthlyReport.objects.exists()


def test_reports_are_scoped(company, django_capture_on_commit_callbacks):
    project = Project.objects.filter(company=company).order_by("code").first()
    month = busiest_month(company, project)
    request(
        client_for("pm"),
        django_capture_on_commit_callbacks,
        org=str(project.public_id),
        month=month,
    )
    run_worker()
    report = MonthlyReport.objects.get(project=project)
    other = client_for("pm-other")
    assert str(report.public_id) not in other.get("/dashboards/reports/").content.decode()
    assert other.get(f"/dashboards/reports/{report.public_id}/pdf/").status_code == 404
    frontline = make_user(company, "cleaner", Role.FRONTLINE, projects=[project])
    client = Client()
    client.force_login(frontline)
    assert client.get("/dashboards/reports/").status_code == 403
    assert client.get(f"/dashboards/reports/{report.public_id}/pdf/").status_code == 403
