"""Two staff acting on one order at the same moment cannot corrupt it."""

import threading

import pytest
from django.db import OperationalError, connection

from ganzhi.core.errors import DomainError
from ganzhi.workorders import services
from ganzhi.workorders.models import WorkOrder, WorkOrderEvent
from tests.workorders.test_services import create

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_staff_grab_the_same_order_at_once(wo):
    order = create(wo)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def grab(user):
        try:
            barrier.wait()
            services.workorder_transition(
                actor=user, order=WorkOrder.objects.get(pk=order.pk), to="accepted"
            )
            outcomes[user.username] = "ok"
        except (DomainError, OperationalError) as exc:
            # the loser is refused: by the state machine after waiting for the row lock
            # (PostgreSQL, SQLite file), or by the database lock itself (SQLite in memory)
            outcomes[user.username] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=grab, args=(u,)) for u in (wo.fixer, wo.fixer2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [name for name, outcome in outcomes.items() if outcome == "ok"]
    assert len(outcomes) == 2 and len(winners) == 1, outcomes
    loser = next(o for o in outcomes.values() if o != "ok")
    if isinstance(loser, DomainError):
        assert loser.code in {"illegal_transition", "forbidden"}
    order.refresh_from_db()
    assert order.state == "accepted"
    assert order.assignee.user.username == winners[0]
    accepts = WorkOrderEvent.objects.filter(order=order, to_state="accepted")
    assert accepts.count() == 1
