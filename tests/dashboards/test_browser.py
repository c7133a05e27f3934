"""HQ opens the dashboards in a real browser, sees the charts drawn, drills down from the
company to a region, a project and a post, and downloads the table of one chart."""

import io

import pytest
from openpyxl import load_workbook

from ganzhi.core.roles import Role
from ganzhi.demo.generator import generate_demo
from ganzhi.org.models import Company
from ganzhi.rollups import services as rollups
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_drill_down_from_company_to_post_and_download_a_table(live_server, browser, settings):
    settings.GANZHI_MIN_SAMPLE = 5
    generate_demo(households=300, seed=2)
    rollups.rebuild()
    company = Company.objects.get(code="demo")
    make_user(company, "lead", Role.HQ)

    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.locator("#id_username").fill("lead")
        page.locator("#id_password").fill(PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/")

        page.goto(f"{live_server.url}/dashboards/")
        assert page.locator(".breadcrumbs").get_attribute("data-level") == "company"
        page.wait_for_selector("#chart-trend canvas")  # ECharts drew the trend
        assert "数据截至" in page.locator(".as-of").inner_text()

        for level in ("region", "project", "post"):
            page.locator("#panel-children tbody tr td a").first.click()
            page.wait_for_selector(f'.breadcrumbs[data-level="{level}"]')
        crumbs = page.locator(".breadcrumbs").inner_text()
        assert crumbs.count("›") == 3  # company › region › project › post
        page.wait_for_selector("#chart-trend canvas")

        page.locator("#panel-trend summary").click()
        assert page.locator("#panel-trend table tbody tr").count() == 12
        with page.expect_download() as download_info:
            page.locator('[data-download="trend"]').click()
        download = download_info.value
        assert download.suggested_filename.endswith(".xlsx")
        with open(download.path(), "rb") as saved:
            workbook = load_workbook(io.BytesIO(saved.read()))
        rows = list(workbook.active.iter_rows(values_only=True))
        assert rows[2][0] == "月份" and len(rows) == 15
    finally:
        context.close()
