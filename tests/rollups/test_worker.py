"""The real worker, started as in production (django-tasks' db_worker), brings the
rollups up to date after a change; the clock enqueues the refresh."""

import pytest
from django.core.management import call_command

from ganzhi.core import clock
from ganzhi.rollups import services
from ganzhi.rollups.models import RollupDirty, RollupState, WorkOrderRollup
from tests.workorders.test_services import create

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_real_worker_refreshes_what_changed(wo, settings):
    settings.GANZHI_PERIODIC_TASKS = {"ganzhi.rollups.tasks.refresh_rollups_task": 60}
    order = create(wo, "complaint-service")
    services.rebuild()
    month = services.month_of(order.created_at)
    rows = WorkOrderRollup.objects.filter(project=order.project, month=month)
    assert sum(rows.values_list("repeats", flat=True)) == 0
    before = RollupState.objects.get(kind="workorders").as_of

    order.is_repeat = True
    order.save()
    assert RollupDirty.objects.filter(project=order.project, month=month).exists()
    assert clock.tick({}, now=1000.0) == ["ganzhi.rollups.tasks.refresh_rollups_task"]
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)

    assert sum(rows.values_list("repeats", flat=True)) == 1
    assert not RollupDirty.objects.exists()
    assert RollupState.objects.get(kind="workorders").as_of > before
    company_rows = WorkOrderRollup.objects.filter(
        company=order.company, scope="company", month=month
    )
    assert sum(company_rows.values_list("repeats", flat=True)) == 1
