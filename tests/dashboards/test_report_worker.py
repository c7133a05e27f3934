"""A monthly report asked for over HTTP is rendered by the real worker and emailed."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from ganzhi.core.roles import Role
from ganzhi.dashboards.models import MonthlyReport
from ganzhi.demo.generator import generate_demo
from ganzhi.org.models import Company
from ganzhi.rollups import services as rollups
from ganzhi.rollups.models import SurveyRollup
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_renders_and_emails_a_company_report(settings):
    settings.GANZHI_MIN_SAMPLE = 10
    generate_demo(households=300, seed=13)
    rollups.rebuild()
    company = Company.objects.get(code="demo")
    lead = make_user(company, "lead", Role.HQ)
    lead.email = "lead@example.com"
    lead.save()
    month = SurveyRollup.objects.filter(company=company).latest("month").month
    client = Client()
    client.force_login(lead)
    response = client.post(
        "/dashboards/reports/",
        {"org": str(company.public_id), "month": f"{month:%Y-%m}", "email": "1"},
    )
    assert response.status_code == 302
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)
    report = MonthlyReport.objects.get(company=company)
    assert report.status == MonthlyReport.Status.DONE, report.error
    assert report.progress == 100
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lead@example.com"]
    assert sorted(name.rsplit(".", 1)[1] for name, _c, _t in mail.outbox[0].attachments) == [
        "pdf",
        "xlsx",
    ]
