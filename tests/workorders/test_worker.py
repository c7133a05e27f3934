"""The clock and the real task worker run the sweep; restarts duplicate nothing."""

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from ganzhi.core import clock
from ganzhi.workorders.models import Escalation, WorkOrder
from tests.workorders.conftest import local
from tests.workorders.test_services import create

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def test_clock_enqueues_the_sweep_once_and_the_worker_marks_breaches(wo, settings):
    settings.GANZHI_PERIODIC_TASKS = {"ganzhi.workorders.tasks.sla_sweep_task": 30}
    order = create(wo, "complaint-service", when=local(2026, 11, 16, 9, 0))
    with time_machine.travel(local(2026, 11, 17, 9, 5), tick=False):
        last_run: dict[str, float] = {}
        assert clock.tick(last_run, now=1000.0) == ["ganzhi.workorders.tasks.sla_sweep_task"]
        assert clock.tick(last_run, now=1001.0) == []  # interval not over
        assert clock.tick(last_run, now=1100.0) == []  # the first one is still waiting
        assert DBTaskResult.objects.count() == 1
        run_worker()
        order.refresh_from_db()
        assert order.response_breached and order.resolve_breached
        assert DBTaskResult.objects.get().status == "SUCCESSFUL"
        # a restarted worker and a second clock tick: nothing fires twice
        assert clock.tick(last_run, now=1200.0) == ["ganzhi.workorders.tasks.sla_sweep_task"]
        run_worker()
        run_worker()
    assert Escalation.objects.filter(order=order).count() == 2
    assert WorkOrder.objects.get(pk=order.pk).events.filter(type="breach").count() == 2
