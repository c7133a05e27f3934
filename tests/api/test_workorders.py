"""Work-order endpoints through the HTTP stack, with the personas."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ganzhi.org.models import Staff
from ganzhi.workorders.models import WorkOrder
from tests.api.conftest import ApiClient, token_for
from tests.workorders.test_services import create

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def api(wo):
    return lambda username: ApiClient(token_for(username))


@pytest.fixture
def order(wo):
    return create(wo)


def test_create_list_and_detail(api, wo):
    cs = api("cs_a")
    response = cs.post(
        "/workorders",
        {
            "project": str(wo.project_a.public_id),
            "category": str(wo.categories["repair-leak"].public_id),
            "title": "卫生间天花板渗水",
            "unit": str(wo.unit_x.public_id),
            "reporter_phone": "13812341234",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "new" and body["priority"] == "high"
    assert body["response_due_at"] and body["resolve_due_at"]
    assert body["timeline"][0]["type"] == "created"
    assert body["reporter_phone"] == "13812341234"  # customer service may see it
    listed = cs.get("/workorders", project=str(wo.project_a.public_id)).json()
    assert [o["number"] for o in listed["items"]] == [body["number"]]
    assert api("hq").get(f"/workorders/{body['id']}").json()["reporter_phone"] == "138****1234"


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("hq", 200),
        ("manager", 200),
        ("cs_a", 200),
        ("fixer", 200),
        ("staff", 404),
        ("region", 404),
        ("outsider", 404),
        ("owner", 403),
    ],
)
def test_order_detail_per_persona(api, order, username, status):
    assert api(username).get(f"/workorders/{order.public_id}").status_code == status


def test_lists_are_scoped(api, order):
    assert api("staff").get("/workorders").json()["count"] == 0
    assert api("outsider").get("/workorders").json()["count"] == 0
    assert api("manager").get("/workorders").json()["count"] == 1
    assert api("owner").get("/workorders").status_code == 403


def test_actions_on_an_order_out_of_scope_answer_404(api, order):
    outsider = api("staff")
    for path, body in [
        ("transitions", {"to": "accepted"}),
        ("comments", {"note": "x"}),
        ("followups", {"outcome": "reached", "rating": 5}),
    ]:
        response = outsider.post(f"/workorders/{order.public_id}/{path}", body)
        assert response.status_code == 404, path
    order.refresh_from_db()
    assert order.state == "new"


def test_transitions_and_illegal_ones(api, wo, order):
    fixer = Staff.objects.get(user=wo.fixer)
    cs = api("cs_a")
    dispatched = cs.post(
        f"/workorders/{order.public_id}/transitions",
        {"to": "dispatched", "assignee": str(fixer.public_id)},
    )
    assert dispatched.status_code == 200, dispatched.content
    assert dispatched.json()["assignee"] == "fixer"
    illegal = cs.post(f"/workorders/{order.public_id}/transitions", {"to": "closed"})
    assert illegal.status_code == 409
    assert illegal.json()["code"] == "illegal_transition"
    assert "不能" in illegal.json()["message"]
    accepted = api("fixer").post(
        f"/workorders/{order.public_id}/transitions", {"to": "accepted", "note": "马上到"}
    )
    assert accepted.json()["state"] == "accepted"
    bad_state = cs.post(f"/workorders/{order.public_id}/transitions", {"to": "flying"})
    assert bad_state.status_code == 422


def test_comments_attachments_and_bad_uploads(api, order):
    cs = api("cs_a")
    comment = cs.post(
        f"/workorders/{order.public_id}/comments",
        {"note": "已联系维修师傅", "visible_to_owner": True},
    )
    assert comment.status_code == 201
    client, headers = cs.client, cs.headers
    url = f"/api/v1/workorders/{order.public_id}/attachments"
    good = client.post(url, {"file": SimpleUploadedFile("leak.png", PNG)}, headers=headers)
    assert good.status_code == 201, good.content
    assert good.json()["content_type"] == "image/png"
    fake = client.post(
        url, {"file": SimpleUploadedFile("leak.jpg", b"MZ\x90\x00 not an image")}, headers=headers
    )
    assert fake.status_code == 400 and fake.json()["code"] == "unsupported_file"
    huge = SimpleUploadedFile("huge.png", PNG + b"\x00" * (10 * 1024 * 1024))
    too_big = client.post(url, {"file": huge}, headers=headers)
    assert too_big.status_code == 400 and too_big.json()["code"] == "file_too_large"
    assert WorkOrder.objects.get(pk=order.pk).attachments.count() == 1


def test_follow_up_through_the_api(api, wo, order):
    manager = api("manager")
    manager.post(f"/workorders/{order.public_id}/transitions", {"to": "accepted"})
    none_due = manager.post(
        f"/workorders/{order.public_id}/followups", {"outcome": "reached", "rating": 5}
    )
    assert none_due.status_code == 409
    manager.post(f"/workorders/{order.public_id}/transitions", {"to": "resolved"})
    done = manager.post(
        f"/workorders/{order.public_id}/followups",
        {"outcome": "reached", "rating": 5, "comment": "很满意"},
    )
    assert done.status_code == 201 and done.json()["satisfied"] is True
    assert manager.get(f"/workorders/{order.public_id}").json()["state"] == "closed"


def test_filters_and_policies(api, wo, order):
    from ganzhi.workorders.models import WorkOrder as WO

    WO.objects.filter(pk=order.pk).update(resolve_breached=True)
    manager = api("manager")
    assert manager.get("/workorders", breached="true").json()["count"] == 1
    assert manager.get("/workorders", breached="false").json()["count"] == 0
    assert manager.get("/workorders", state="closed").json()["count"] == 0
    assert manager.get("/workorders", state="nonsense").status_code == 422
    policies = manager.get("/sla-policies").json()["items"]
    assert any(p["kind"] == "" and p["priority"] == "" and p["category"] is None for p in policies)
    assert api("outsider").get("/sla-policies").json()["count"] == 0
    categories = manager.get("/workorder-categories", page_size=100).json()
    assert categories["count"] >= 30
