"""The staff workbench pages: queue, order page and its actions, per persona."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from ganzhi.org.models import Staff
from ganzhi.workorders.models import WorkOrder
from tests.api.test_workorders import PNG
from tests.workorders.conftest import local
from tests.workorders.test_services import create


@pytest.fixture
def order(wo):
    return create(wo, "complaint-service", when=local(2026, 11, 16, 9, 0))


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("hq", 200),
        ("manager", 200),
        ("cs_a", 200),
        ("fixer", 200),
        ("staff", 404),
        ("outsider", 404),
        ("owner", 403),
    ],
)
def test_order_page_per_persona(wo, order, username, status):
    client = wo.client_for(getattr(wo, username))
    assert client.get(f"/workorders/{order.public_id}/").status_code == status


def test_queue_is_scoped_and_sorted_by_urgency(wo):
    early = create(wo, "repair-water", when=local(2026, 11, 16, 9, 50))  # respond by 10:50
    urgent = create(wo, "repair-lift", when=local(2026, 11, 16, 10, 0))  # respond by 10:15
    with time_machine.travel(local(2026, 11, 16, 10, 5), tick=False):
        html = wo.client_for(wo.manager).get("/workorders/").content.decode()
    assert html.index(urgent.number) < html.index(early.number)
    assert "剩余" in html
    assert early.number not in wo.client_for(wo.staff).get("/workorders/").content.decode()
    assert wo.client_for(wo.owner).get("/workorders/").status_code == 403


def test_breached_orders_show_and_filter(wo, order):
    WorkOrder.objects.filter(pk=order.pk).update(resolve_breached=True)
    with time_machine.travel(local(2026, 11, 18, 9, 0), tick=False):
        client = wo.client_for(wo.manager)
        html = client.get("/workorders/", {"breached": "yes"}).content.decode()
        assert order.number in html and "已超时" in html
        assert order.number not in client.get("/workorders/", {"breached": "no"}).content.decode()


def test_create_through_the_form(wo):
    client = wo.client_for(wo.cs_a)
    response = client.post(
        "/workorders/new/",
        {
            "project": str(wo.project_a.public_id),
            "category": str(wo.categories["repair-leak"].public_id),
            "title": "阳台渗水",
            "channel": "phone",
            "priority": "",
        },
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get(title="阳台渗水")
    assert order.priority == "high" and order.created_by == wo.cs_a
    bad = client.post(
        "/workorders/new/",
        {"project": str(wo.project_b.public_id), "title": "", "channel": "phone"},
    )
    assert bad.status_code == 200
    assert WorkOrder.objects.count() == 1


def test_dispatch_accept_and_illegal_move_through_the_page(wo, order):
    fixer = Staff.objects.get(user=wo.fixer)
    cs = wo.client_for(wo.cs_a)
    url = f"/workorders/{order.public_id}/transition/"
    cs.post(url, {"to": "dispatched", "assignee": str(fixer.public_id), "visible_to_owner": "on"})
    order.refresh_from_db()
    assert order.state == "dispatched" and order.assignee == fixer
    response = cs.post(url, {"to": "closed"}, follow=True)
    assert "不能" in response.content.decode()
    order.refresh_from_db()
    assert order.state == "dispatched"
    wo.client_for(wo.fixer).post(url, {"to": "accepted"})
    order.refresh_from_db()
    assert order.state == "accepted"


def test_complaint_page_shows_clear_and_owner_advice(wo, order):
    wo.owner_x.communication_style = "owl"
    wo.owner_x.save()
    html = wo.client_for(wo.cs_a).get(f"/workorders/{order.public_id}/").content.decode()
    assert "CLEAR" in html and "赢在细节" in html
    wo.client_for(wo.cs_a).post(
        f"/workorders/{order.public_id}/checklist/", {"clear_steps": ["control", "listen"]}
    )
    order.refresh_from_db()
    assert order.clear_steps == ["control", "listen"]


def test_bulk_assign(wo):
    first, second = create(wo), create(wo)
    fixer = Staff.objects.get(user=wo.fixer)
    response = wo.client_for(wo.cs_a).post(
        "/workorders/bulk-assign/",
        {
            "orders": f"{first.public_id},{second.public_id}",
            "assignee": str(fixer.public_id),
        },
    )
    assert response.status_code == 302
    assert set(WorkOrder.objects.values_list("assignee", flat=True)) == {fixer.id}
    assert wo.client_for(wo.fixer).post("/workorders/bulk-assign/", {}).status_code == 403


def test_attachment_upload_and_scoped_download(wo, order):
    cs = wo.client_for(wo.cs_a)
    cs.post(f"/workorders/{order.public_id}/attach/", {"file": SimpleUploadedFile("a.png", PNG)})
    attachment = order.attachments.get()
    url = f"/workorders/{order.public_id}/files/{attachment.public_id}/"
    response = cs.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert wo.client_for(wo.staff).get(url).status_code == 404
    bad = cs.post(
        f"/workorders/{order.public_id}/attach/",
        {"file": SimpleUploadedFile("x.jpg", b"plain text")},
        follow=True,
    )
    assert order.attachments.count() == 1
    assert "只能" in bad.content.decode() or "仅" in bad.content.decode()


def test_queue_query_count_does_not_grow(wo, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = wo.client_for(wo.manager)
    create(wo)
    client.get("/workorders/")
    with CaptureQueriesContext(connection) as few:
        client.get("/workorders/")
    for _ in range(15):
        create(wo)
    with CaptureQueriesContext(connection) as many:
        client.get("/workorders/")
    assert len(many.captured_queries) == len(few.captured_queries)
