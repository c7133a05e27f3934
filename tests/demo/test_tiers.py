"""Sizing the demo company for benchmark tiers: number of projects, volume factors."""

import pytest
from django.db import transaction

from ganzhi.core.errors import DomainError
from ganzhi.demo.generator import generate_demo, plan_company
from ganzhi.surveys.models import Response
from ganzhi.workorders.models import WorkOrder


def test_plan_with_a_number_of_projects():
    plan = plan_company(households=60_000, seed=1, projects=50)
    assert len(plan.projects) == 50
    assert sum(p.households for p in plan.projects) == 60_000
    assert len({p.name for p in plan.projects}) == 50
    assert len({p.code for p in plan.projects}) == 50
    assert 2 <= len(plan.regions) <= 5
    # The default is what it was: one project per 3,000 households.
    assert plan_company(households=60_000, seed=1, projects=None) == plan_company(
        households=60_000, seed=1
    )
    assert len(plan_company(households=60_000, seed=1).projects) == 20
    many = plan_company(households=900_000, seed=1, projects=750)
    assert len({p.name for p in many.projects}) == 750
    assert min(p.households for p in many.projects) >= 300


def counts(**sizing) -> tuple[int, int, int, int]:
    """Projects, work orders, survey responses (relationship waves, after-service) of a
    demo generated in a savepoint that is rolled back."""
    savepoint = transaction.savepoint()
    try:
        summary = generate_demo(households=1200, seed=5, **sizing)
        waves = Response.objects.filter(workorder__isnull=True).count()
        after = Response.objects.filter(workorder__isnull=False).count()
        assert summary.workorders == WorkOrder.objects.count()
        return summary.projects, summary.workorders, waves, after
    finally:
        transaction.savepoint_rollback(savepoint)


def test_scales_shrink_the_volumes(db):
    projects, orders, waves, after = counts(projects=4)
    assert projects == 4
    _p, fewer, few_waves, few_after = counts(
        projects=4, workorder_scale=0.5, survey_scale=0.2, after_service_scale=0.5
    )
    assert 0.42 < fewer / orders < 0.58
    assert few_waves < waves * 0.35
    assert few_after < after * 0.5 * 0.75  # half the answering of half the orders


@pytest.mark.parametrize(
    ("sizing", "code"),
    [
        ({"projects": 1}, "demo_invalid_projects"),
        ({"projects": 200}, "demo_invalid_projects"),  # fewer than 10 households each
        ({"workorder_scale": 0}, "demo_invalid_scale"),
        ({"survey_scale": -1.0}, "demo_invalid_scale"),
        ({"after_service_scale": 11}, "demo_invalid_scale"),
    ],
)
def test_refuses_impossible_sizing(db, sizing, code):
    with pytest.raises(DomainError) as error:
        generate_demo(households=1200, seed=1, **sizing)
    assert error.value.code == code
