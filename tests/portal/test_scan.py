"""Scanning a QR code and filing a report: what is created, what is refused, the limits."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ganzhi.core.errors import DomainError
from ganzhi.notifications.models import Delivery
from ganzhi.portal import services
from ganzhi.workorders.models import Attachment, Category, WorkOrder
from tests.portal.conftest import english_client, photo, report_data


def scan_url(place) -> str:
    return reverse("portal:scan", args=[place.token])


def test_unknown_and_retired_tokens_are_404_and_reveal_nothing(portal):
    client = english_client()
    unknown = client.get("/p/q/not-a-real-token/")
    assert unknown.status_code == 404
    portal.lamp.is_active = False
    portal.lamp.save()
    retired = client.get(scan_url(portal.lamp))
    assert retired.status_code == 404
    for response in (unknown, retired):
        body = response.content.decode()
        assert "翠湖花园" not in body and "路灯" not in body
    assert client.post(scan_url(portal.lamp), report_data(portal)).status_code == 404
    assert WorkOrder.objects.count() == 0


def test_scan_page_shows_the_place_and_grouped_reportable_categories(portal):
    Category.objects.filter(code="repair-water").update(is_active=False)
    other = Category.objects.create(
        company=portal.other_company, code="x", name="别家类别", kind="repair"
    )
    response = english_client().get(scan_url(portal.lamp))
    assert response.status_code == 200
    body = response.content.decode()
    assert "翠湖花园" in body and "1栋东侧路灯" in body
    assert '<optgroup label="Repair">' in body and '<optgroup label="Complaint">' in body
    assert '<optgroup label="Suggestion">' in body and '<optgroup label="Enquiry">' in body
    assert "路灯照明" in body
    assert "表扬员工" not in body  # praise is not reported here
    assert "给排水维修" not in body  # inactive
    assert str(other.public_id) not in body
    assert 'accept="image/*"' in body and 'capture="environment"' in body


def test_report_with_a_photo_creates_a_qr_order_linked_to_the_owner(
    portal, django_capture_on_commit_callbacks
):
    client = english_client()
    data = report_data(portal, reporter_phone="+86 138-1234-1234", photo_1=photo())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(scan_url(portal.lamp), data)
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.channel == "qr"
    assert order.place == portal.lamp
    assert order.project == portal.project_a
    assert order.category.code == "repair-light"
    assert order.title == "路灯照明 · 1栋东侧路灯"
    assert order.description == "路灯不亮，晚上很黑"
    assert order.reporter == portal.owner_x  # 13812341234 is 张伟's number
    assert order.reporter_name == "张先生" and order.reporter_phone == "13812341234"
    assert order.created_by is None
    attachment = Attachment.objects.get(order=order)
    assert attachment.from_owner and attachment.content_type == "image/png"
    assert attachment.original_name == "lamp.png"
    assert order.events.filter(type="attachment", visible_to_owner=True).exists()
    # the reporter is texted the tracking link (recorded as skipped without an SMS provider)
    sms = Delivery.objects.get(event="portal_received", channel="sms")
    assert order.number in sms.title

    done = client.get(response["Location"])
    assert done.status_code == 200
    body = done.content.decode()
    assert order.number in body
    assert "http://testserver/p/t/" in body


def test_a_stranger_is_not_linked_and_needs_no_photo(portal):
    response = english_client().post(scan_url(portal.lamp), report_data(portal))
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.reporter is None and order.reporter_phone == "13700001111"
    assert order.household is None and not order.attachments.exists()


def test_phone_of_an_owner_of_another_company_is_not_linked(portal):
    english_client().post(scan_url(portal.lamp), report_data(portal, reporter_phone="13512345678"))
    assert WorkOrder.objects.get().reporter is None


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("lamp.jpg", b"just some text, not a photo at all", "Only photos"),
        ("big.jpg", b"\xff\xd8\xff" + b"0" * (11 * 1024 * 1024), "at most 10 MB"),
        ("empty.jpg", b"", "The submitted file is empty"),
        ("doc.pdf", b"%PDF-1.4 a pdf is not a photo", "Only photos"),
    ],
)
def test_a_bad_photo_creates_nothing(portal, name, content, error):
    data = report_data(
        portal,
        photo_1=photo(),
        photo_2=SimpleUploadedFile(name, content, "image/jpeg"),
    )
    response = english_client().post(scan_url(portal.lamp), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert WorkOrder.objects.count() == 0 and Attachment.objects.count() == 0


def test_attach_refusal_inside_the_service_rolls_the_order_back(portal):
    """Even past the form, an upload the attach service refuses leaves no order behind."""
    bad = SimpleUploadedFile("x.jpg", b"plain text", "image/jpeg")
    with pytest.raises(DomainError):
        services.qr_report_submit(
            place=portal.lamp,
            category=portal.categories["repair-light"],
            description="灯不亮",
            reporter_name="张先生",
            reporter_phone="13700001111",
            photos=[photo(), bad],
        )
    assert WorkOrder.objects.count() == 0 and Attachment.objects.count() == 0


@pytest.mark.parametrize("phone", ["12345", "1381234123", "23812341234", "138123412345", ""])
def test_invalid_mobile_is_refused(portal, phone):
    response = english_client().post(
        scan_url(portal.lamp), report_data(portal, reporter_phone=phone)
    )
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert WorkOrder.objects.count() == 0


def test_description_is_required_and_at_most_500_characters(portal):
    client = english_client()
    for description in ("", "   ", "长" * 501):
        response = client.post(scan_url(portal.lamp), report_data(portal, description=description))
        assert response.status_code == 200
    assert WorkOrder.objects.count() == 0
    client.post(scan_url(portal.lamp), report_data(portal, description="长" * 500))
    assert WorkOrder.objects.count() == 1


@pytest.mark.parametrize("code", ["praise-staff", None])
def test_only_the_offered_categories_are_accepted(portal, code):
    if code is None:
        other = Category.objects.create(
            company=portal.other_company, code="x", name="别家类别", kind="repair"
        )
        value = str(other.public_id)
    else:
        value = str(portal.categories[code].public_id)
    response = english_client().post(scan_url(portal.lamp), report_data(portal, category=value))
    assert response.status_code == 200
    assert WorkOrder.objects.count() == 0


def test_reports_per_address_are_limited(portal):
    client = english_client()
    for _ in range(10):
        assert client.post(scan_url(portal.lamp), report_data(portal)).status_code == 302
    response = client.post(scan_url(portal.lamp), report_data(portal))
    assert response.status_code == 429
    assert "too many requests" in response.content.decode()
    assert WorkOrder.objects.count() == 10
    # another address may still report
    other = english_client(REMOTE_ADDR="10.0.0.9")
    assert other.post(scan_url(portal.lamp), report_data(portal)).status_code == 302


def test_reports_per_qr_code_are_limited(portal):
    for index in range(30):
        client = english_client(REMOTE_ADDR=f"10.0.{index // 10}.1")
        assert client.post(scan_url(portal.lamp), report_data(portal)).status_code == 302
    late = english_client(REMOTE_ADDR="10.9.9.9")
    assert late.post(scan_url(portal.lamp), report_data(portal)).status_code == 429
    assert WorkOrder.objects.count() == 30


def test_a_flood_of_junk_writes_nothing_and_is_cut_off(portal):
    client = english_client()
    junk = {"category": "nonsense", "description": "", "reporter_phone": "x"}
    statuses = [client.post(scan_url(portal.lamp), junk).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429
    assert WorkOrder.objects.count() == 0
    # the address is now cut off for valid reports as well
    assert client.post(scan_url(portal.lamp), report_data(portal)).status_code == 429
    assert WorkOrder.objects.count() == 0


def test_confirmation_texts_to_one_number_are_capped(portal, django_capture_on_commit_callbacks):
    for index in range(6):
        client = english_client(REMOTE_ADDR=f"10.3.0.{index}")
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(scan_url(portal.lamp), report_data(portal)).status_code == 302
    assert WorkOrder.objects.count() == 6  # every report stands
    assert Delivery.objects.filter(event="portal_received", channel="sms").count() == 5
