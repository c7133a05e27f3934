"""Every dashboard page runs the same number of queries whatever the amount of data:
measured on generated companies of 300 and 1,200 households (no N+1 anywhere)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ganzhi.core.roles import Role
from ganzhi.demo.generator import generate_demo
from ganzhi.org.models import Company, Post, Project, Region
from ganzhi.rollups import services as rollups
from tests.conftest import make_user
from tests.dashboards.test_dashboards import PAGES, get, latest_year, lead_client


def query_counts(company) -> dict[str, int]:
    year = latest_year(company)
    client = lead_client(company)
    region = Region.objects.filter(company=company).order_by("name").first()
    project = Project.objects.filter(region=region).order_by("name").first()
    post = Post.objects.filter(company=company).order_by("sort_order").first()
    counts = {}
    for label, params in (
        ("company", {}),
        ("region", {"org": str(region.public_id)}),
        ("project", {"org": str(project.public_id)}),
        ("post", {"org": str(project.public_id), "post": post.code}),
    ):
        for page in PAGES:
            with CaptureQueriesContext(connection) as queries:
                response = get(client, page, period=year, **params)
            assert response.status_code == 200, (label, page)
            counts[f"{label}:{page}"] = len(queries)
    return counts


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_data(settings):
    settings.GANZHI_MIN_SAMPLE = 10
    measured = []
    for households in (300, 1200):
        with transaction.atomic():
            generate_demo(households=households, seed=7)
            rollups.rebuild()
            company = Company.objects.get(code="demo")
            make_user(company, "lead", Role.HQ)
            measured.append(query_counts(company))
            transaction.set_rollback(True)
    small, large = measured
    assert small == large
    assert max(large.values()) <= 30
