"""Dashboards over the real HTTP stack (Django test client): who may see what, the
figures against the raw data, table downloads, drill-down, and query counts that do
not grow with the data."""

import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from ganzhi.core.roles import Role
from ganzhi.dashboards.models import Metric, Target
from ganzhi.org.models import Post, Project, Region
from ganzhi.surveys import scoring
from tests.conftest import make_user
from tests.demo_company import module_demo, savepoint

PAGES = ["", "servqual/", "posts/", "drivers/", "workorders/", "callbacks/"]
SURVEY_PAGES = ["", "servqual/", "posts/", "drivers/"]


def get(client, path, **params):
    return client.get(f"/dashboards/{path}", params)


# --- permissions (the small world of tests/conftest.py) ---------------------------------


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_log_in(world):
    for page in [*PAGES, "responses/"]:
        response = Client().get(f"/dashboards/{page}")
        assert response.status_code == 302 and "/login" in response["Location"], page


@pytest.mark.django_db
def test_owners_and_frontline_staff_may_not_open_survey_dashboards(world):
    for user in (world.owner, world.frontline):
        client = world.client_for(user)
        for page in [*SURVEY_PAGES, "responses/"]:
            assert get(client, page).status_code == 403, (user, page)
    assert get(world.client_for(world.owner), "workorders/").status_code == 403


@pytest.mark.django_db
def test_staff_see_only_units_in_their_scope(world):
    rules = [
        # (user, org, expected)
        (world.hq, world.company, 200),
        (world.hq, world.east, 200),
        (world.hq, world.project_c, 200),
        (world.hq, world.project_z, 404),  # another company's project
        (world.hq, world.other_company, 404),
        (world.outsider, world.company, 404),
        (world.outsider, world.project_a, 404),
        (world.region, world.south, 200),
        (world.region, world.project_c, 200),
        (world.region, world.east, 404),
        (world.region, world.project_a, 404),
        (world.region, world.company, 404),
        (world.manager, world.project_a, 200),
        (world.manager, world.east, 404),  # sees A, not the whole region (B too)
        (world.manager, world.project_b, 404),
        (world.staff, world.project_b, 200),
        (world.staff, world.project_a, 404),
    ]
    for user, org, expected in rules:
        client = world.client_for(user)
        for page in [*PAGES, "responses/"]:
            status = get(client, page, org=str(org.public_id)).status_code
            assert status == expected, (user.username, org, page, status)
            # the trend table exists on the overview only; out of scope it is 404 anyway
            status = get(client, page, org=str(org.public_id), download="trend").status_code
            allowed = {"": expected, "responses/": expected}.get(page, 404)  # no trend panel
            assert status == (404 if expected == 404 else allowed), (user.username, org, page)


@pytest.mark.django_db
def test_each_user_lands_on_the_widest_unit_they_see_whole(world):
    expected = {
        world.hq: world.company.name,
        world.region: world.south.name,
        world.manager: world.project_a.name,
        world.staff: world.project_b.name,
    }
    for user, name in expected.items():
        response = get(world.client_for(user), "")
        assert response.status_code == 200
        assert f"{name} · " in response.content.decode(), user.username


@pytest.mark.django_db
def test_bad_filters_get_a_clear_error(world):
    client = world.client_for(world.hq)
    response = get(client, "", period="2026-13")
    assert response.status_code == 422
    assert "2026-Q3" in response.content.decode()
    response = get(client, "", post="no-such-post")
    assert response.status_code == 422
    assert get(client, "", org="not-a-uuid").status_code == 404
    assert get(client, "nonsense/").status_code == 404
    assert get(client, "", download="no-such-panel").status_code == 404


@pytest.mark.django_db
def test_empty_company_shows_empty_states_not_errors(world):
    empty_states = {
        "": "本期答卷少于 30 份",
        "servqual/": "本期问卷没有期望/感知成对题目。",
        "posts/": "该期间没有评分答卷。",
        "drivers/": "关键驱动因素分析至少需要",
        "workorders/": "本期没有工单。",
        "callbacks/": "待回访",
    }
    client = world.client_for(world.hq)
    for page, text in empty_states.items():
        response = get(client, page, period="2026")
        assert response.status_code == 200, page
        assert text in response.content.decode(), page


# --- content on a generated company ---------------------------------------------------


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    with module_demo(django_db_blocker, households=600, seed=5) as company:
        make_user(company, "lead", Role.HQ)
        yield company


@pytest.fixture
def demo(demo_module, settings):
    settings.GANZHI_MIN_SAMPLE = 10
    with savepoint(demo_module) as company:
        yield company


def lead_client(company):
    from ganzhi.org.models import User

    client = Client()
    client.force_login(User.objects.get(username="lead", company=company))
    return client


def latest_year(company) -> str:
    from ganzhi.rollups.models import SurveyRollup

    return str(SurveyRollup.objects.filter(company=company).latest("month").month.year)


@pytest.mark.django_db
def test_overview_figures_equal_the_raw_scores(demo):
    year = latest_year(demo)
    project = Project.objects.filter(company=demo).order_by("code").first()
    client = lead_client(demo)
    for unit, org in (
        (scoring.OrgUnit("company", demo, demo.pk), demo),
        (scoring.OrgUnit("project", project, demo.pk), project),
    ):
        raw = scoring.compute_scores(unit=unit, period=scoring.parse_period(year))
        body = get(client, "", org=str(org.public_id), period=year).content.decode()
        kpis = re.findall(
            r'data-kpi="\d+">\s*<div class="label">([^<]+)</div>\s*'
            r'<div class="value[^"]*">(?:<a [^>]+>)?([^<]+)<',
            body,
        )
        shown = dict(kpis)
        if not raw.index.suppressed:
            assert shown["满意度指数"] == f"{raw.index.value:.1f}"
        if not raw.nps.suppressed:
            assert shown["NPS"] == f"{raw.nps.value:.1f}"
        assert shown["回答数"] == f"{raw.n:,}"


@pytest.mark.django_db
def test_drill_down_from_company_to_post_and_download_a_table(demo):
    year = latest_year(demo)
    client = lead_client(demo)
    body = get(client, "", period=year).content.decode()
    region = Region.objects.filter(company=demo).order_by("name").first()
    assert f"org={region.public_id}" in body  # the regions table links one level down
    body = get(client, "", org=str(region.public_id), period=year).content.decode()
    project = Project.objects.filter(region=region).order_by("name").first()
    assert f"org={project.public_id}" in body
    body = get(client, "", org=str(project.public_id), period=year).content.decode()
    post = Post.objects.filter(company=demo).order_by("sort_order").first()
    assert f"post={post.code}" in body
    response = get(client, "", org=str(project.public_id), period=year, post=post.code)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"{project.name} · {post.name} · {year}" in body
    assert 'data-level="post"' in body

    download = get(client, "", org=str(project.public_id), period=year, download="trend")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "满意度指数与 NPS（按月）"
    assert rows[2][0] == "月份"
    assert len(rows) == 3 + 12  # title, subtitle, header, twelve months


@pytest.mark.django_db
def test_targets_show_on_the_overview_and_the_radar(demo):
    year = int(latest_year(demo))
    Target.objects.create(company=demo, year=year, metric=Metric.INDEX, value=88)
    project = Project.objects.filter(company=demo).order_by("code").first()
    Target.objects.create(company=demo, project=project, year=year, metric=Metric.INDEX, value=91)
    client = lead_client(demo)
    assert "目标 88" in get(client, "", period=str(year)).content.decode()
    assert (
        "目标 91" in get(client, "", org=str(project.public_id), period=str(year)).content.decode()
    )


@pytest.mark.django_db
def test_workorder_numbers_link_to_the_orders_behind_them(demo):
    year = latest_year(demo)
    client = lead_client(demo)
    body = get(client, "workorders/", period=year).content.decode()
    links = re.findall(r'href="(/workorders/\?[^"]+)"', body)
    assert links
    queue = client.get(links[0].replace("&amp;", "&"))
    assert queue.status_code == 200
