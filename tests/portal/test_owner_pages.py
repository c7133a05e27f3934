"""An owner's pages: their own requests only, the owner-visible timeline, urge, rate, report."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from ganzhi.org.models import Staff
from ganzhi.portal import access
from ganzhi.portal.selectors import staff_public_name, surname
from ganzhi.workorders import services as wo_services
from ganzhi.workorders.models import FollowUp, WorkOrder
from tests.portal.conftest import english_client, photo
from tests.workorders.conftest import local


def make_order(world, unit=None, title="厨房水管漏水", when=None):
    return wo_services.workorder_create(
        actor=world.cs_a,
        project=world.project_a,
        category=world.categories["repair-water"],
        title=title,
        channel="phone",
        unit=unit or world.unit_x,
        now=when,
    )


def owner_client(owner):
    """A phone browser logged in as ``owner`` through the owner's signed link."""
    client = english_client()
    response = client.get(reverse("portal:track", args=[access.owner_token(owner)]))
    assert response.status_code == 302
    return client


def order_url(order, action=""):
    name = f"portal:order_{action}" if action else "portal:order"
    return reverse(name, args=[order.public_id])


def test_owner_sees_only_their_households_orders(wo):
    mine = make_order(wo, title="我家的单")
    neighbours = make_order(wo, unit=wo.unit_y, title="邻居的单")
    unhoused = wo_services.workorder_create(
        actor=wo.cs_a,
        project=wo.project_a,
        category=wo.categories["repair-public"],
        title="公共区域",
        channel="patrol",
    )
    client = owner_client(wo.owner_x)
    home = client.get(reverse("portal:home")).content.decode()
    assert mine.number in home
    assert neighbours.number not in home and unhoused.number not in home
    assert client.get(order_url(mine)).status_code == 200
    for order in (neighbours, unhoused):
        assert client.get(order_url(order)).status_code == 404
        assert client.post(order_url(order, "urge")).status_code == 404
        assert client.post(order_url(order, "rate"), {"rating": 5}).status_code == 404
    assert client.get("/p/orders/00000000-0000-0000-0000-000000000000/").status_code == 404
    neighbours.refresh_from_db()
    assert neighbours.urge_count == 0 and neighbours.owner_rating is None


def test_orders_an_owner_reported_by_qr_are_theirs_too(portal):
    client = english_client()
    client.post(
        reverse("portal:scan", args=[portal.lamp.token]),
        {
            "category": str(portal.categories["repair-light"].public_id),
            "description": "灯不亮",
            "reporter_name": "张伟",
            "reporter_phone": "13812341234",
        },
    )
    order = WorkOrder.objects.get()
    assert order.household is None
    home = owner_client(portal.owner_x).get(reverse("portal:home")).content.decode()
    assert order.number in home
    assert (
        order.number
        not in owner_client(portal.owner_y).get(reverse("portal:home")).content.decode()
    )


def test_timeline_hides_internal_notes_and_full_staff_names(wo):
    Staff.objects.filter(user=wo.fixer).update(name="王建国")
    Staff.objects.filter(user=wo.cs_a).update(name="欧阳娜娜")
    order = make_order(wo)
    wo_services.workorder_comment(
        actor=wo.cs_a, order=order, note="内部：业主比较难沟通，注意话术", visible_to_owner=False
    )
    wo_services.workorder_transition(
        actor=wo.fixer, order=order, to="accepted", note="半小时内上门"
    )
    wo_services.workorder_transition(
        actor=wo.fixer, order=order, to="in_progress", note="内部：缺配件", visible_to_owner=False
    )
    wo_services.workorder_comment(
        actor=wo.cs_a, order=order, note="师傅已到现场", visible_to_owner=True
    )
    body = owner_client(wo.owner_x).get(order_url(order)).content.decode()
    assert "半小时内上门" in body and "师傅已到现场" in body
    assert "内部" not in body
    assert "工程维修 Master 王" in body
    assert "Officer 欧阳" in body
    assert "王建国" not in body and "欧阳娜娜" not in body and "fixer" not in body
    assert "Status: Accepted" in body
    assert "Status: In progress" not in body  # that move was internal


def test_staff_public_names():
    from django.utils import translation

    assert surname("王建国") == "王" and surname("欧阳娜娜") == "欧阳" and surname("") == ""
    with translation.override("zh-hans"):
        assert staff_public_name(None) == "物业服务中心"


def test_urge_is_recorded_and_too_soon_is_polite(wo):
    order = make_order(wo)
    client = owner_client(wo.owner_x)
    response = client.post(order_url(order, "urge"), follow=True)
    assert response.status_code == 200
    assert "told the team" in response.content.decode()
    response = client.post(order_url(order, "urge"), follow=True)
    assert response.status_code == 200
    assert "less than 30 minutes ago" in response.content.decode()
    order.refresh_from_db()
    assert order.urge_count == 1
    assert order.events.filter(type="urge", visible_to_owner=True).count() == 1


def test_urges_per_order_are_rate_limited(wo):
    order = make_order(wo)
    client = owner_client(wo.owner_x)
    statuses = [client.post(order_url(order, "urge")).status_code for _ in range(7)]
    assert statuses == [302] * 6 + [429]
    order.refresh_from_db()
    assert order.urge_count == 1


def test_finished_orders_cannot_be_urged(wo):
    order = make_order(wo)
    wo_services.workorder_transition(actor=wo.fixer, order=order, to="accepted")
    wo_services.workorder_transition(actor=wo.fixer, order=order, to="resolved")
    client = owner_client(wo.owner_x)
    page = client.get(order_url(order)).content.decode()
    assert order_url(order, "urge") not in page
    response = client.post(order_url(order, "urge"), follow=True)
    assert "already finished" in response.content.decode()


def test_rate_a_resolved_order(wo):
    order = make_order(wo)
    client = owner_client(wo.owner_x)
    assert order_url(order, "rate") not in client.get(order_url(order)).content.decode()
    response = client.post(order_url(order, "rate"), {"rating": 4}, follow=True)
    assert "once it is resolved" in response.content.decode()
    wo_services.workorder_transition(actor=wo.fixer, order=order, to="accepted")
    wo_services.workorder_transition(actor=wo.fixer, order=order, to="resolved")
    page = client.get(order_url(order)).content.decode()
    assert order_url(order, "rate") in page
    bad = client.post(order_url(order, "rate"), {"rating": 7})
    assert bad.status_code == 400
    response = client.post(
        order_url(order, "rate"), {"rating": 2, "comment": "还是有点漏"}, follow=True
    )
    assert "Thank you for your rating" in response.content.decode()
    order.refresh_from_db()
    assert order.owner_rating == 2 and order.owner_comment == "还是有点漏"
    assert FollowUp.objects.filter(order=order, done_at__isnull=True).exists()
    again = client.post(order_url(order, "rate"), {"rating": 5}, follow=True)
    assert "already rated" in again.content.decode()
    order.refresh_from_db()
    assert order.owner_rating == 2


def test_tracking_link_can_urge_and_rate_its_own_order(wo):
    order = make_order(wo)
    token = access.order_token(order)
    client = english_client()
    client.post(reverse("portal:track_urge", args=[token]))
    order.refresh_from_db()
    assert order.urge_count == 1
    wo_services.workorder_transition(actor=wo.fixer, order=order, to="accepted")
    wo_services.workorder_transition(actor=wo.fixer, order=order, to="resolved")
    response = client.post(reverse("portal:track_rate", args=[token]), {"rating": 5})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.owner_rating == 5


def test_countdown_on_the_list(wo):
    with time_machine.travel(local(2026, 11, 18, 10, 0), tick=False):
        order = make_order(wo, when=local(2026, 11, 18, 10, 0))
        client = owner_client(wo.owner_x)
    # repair-water: two working days → due 2026-11-20 10:00
    assert order.resolve_due_at == local(2026, 11, 20, 10, 0)
    with time_machine.travel(local(2026, 11, 20, 7, 0), tick=False):
        assert "3 hours left" in client.get(reverse("portal:home")).content.decode()
    with time_machine.travel(local(2026, 11, 18, 11, 0), tick=False):
        assert "47 hours left" in client.get(reverse("portal:home")).content.decode()
    with time_machine.travel(local(2026, 11, 20, 10, 30), tick=False):
        assert "Overdue" in client.get(reverse("portal:home")).content.decode()


def test_owner_reports_for_their_own_unit(wo):
    client = owner_client(wo.owner_x)
    page = client.get(reverse("portal:report")).content.decode()
    assert "1201" in page and "1202" not in page
    data = {
        "unit": str(wo.unit_x.public_id),
        "category": str(wo.categories["repair-leak"].public_id),
        "description": "卫生间天花板渗水",
        "photo_1": photo(),
    }
    response = client.post(reverse("portal:report"), data)
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert response["Location"] == order_url(order)
    assert order.channel == "portal" and order.unit == wo.unit_x
    assert order.household == wo.household_x and order.reporter == wo.owner_x
    assert order.reporter_phone == "13812341234"
    assert order.attachments.get().from_owner


def test_owner_cannot_report_for_someone_elses_unit(wo):
    client = owner_client(wo.owner_x)
    data = {
        "unit": str(wo.unit_y.public_id),
        "category": str(wo.categories["repair-leak"].public_id),
        "description": "卫生间天花板渗水",
    }
    response = client.post(reverse("portal:report"), data)
    assert response.status_code == 200
    assert WorkOrder.objects.count() == 0


@pytest.mark.parametrize("name", ["portal:home", "portal:report"])
def test_owner_pages_need_a_login(wo, name):
    response = english_client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_a_moved_out_owner_loses_the_households_orders(wo):
    order = make_order(wo)
    client = owner_client(wo.owner_x)
    assert client.get(order_url(order)).status_code == 200
    wo.household_x.is_current = False
    wo.household_x.move_out_date = dt.date(2026, 11, 30)
    wo.household_x.save()
    assert client.get(order_url(order)).status_code == 404
