"""Scan a QR code on a phone, report with a photo; customer service sees it in the queue."""

import pytest

from ganzhi.workorders.models import WorkOrder
from tests.conftest import PASSWORD
from tests.portal.conftest import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_scan_report_with_photo_then_staff_queue_shows_it(portal, live_server, browser, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/p/q/{portal.lamp.token}/")
    assert "1栋东侧路灯" in page.locator("h1").inner_text()
    assert "翠湖花园" in page.locator("main").inner_text()
    # the form fits the phone: no horizontal scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.locator("select[name=category]").select_option(label="路灯照明")
    page.locator("textarea[name=description]").fill("路灯不亮，晚上很黑")
    page.locator("input[name=photo_1]").set_input_files(
        files=[{"name": "lamp.png", "mimeType": "image/png", "buffer": png_bytes(8, 8)}]
    )
    page.locator("input[name=reporter_name]").fill("张先生")
    page.locator("input[name=reporter_phone]").fill("13812341234")
    page.locator("form.report-form button[type=submit]").click()
    page.wait_for_url("**/p/done/**")

    number = page.get_by_test_id("order-number").inner_text().strip()
    order = WorkOrder.objects.get()
    assert number == order.number
    assert order.channel == "qr" and order.place_id == portal.lamp.id
    assert order.attachments.count() == 1 and order.reporter_id == portal.owner_x.id
    # the tracking link opens the order on the phone
    page.locator("a.button").click()
    page.wait_for_url("**/p/t/**")
    assert number in page.locator("main").inner_text()

    context = browser.new_context()
    try:
        desk = context.new_page()
        desk.set_default_timeout(10_000)
        desk.goto(f"{live_server.url}/accounts/login/")
        desk.locator("#id_username").fill("cs_a")
        desk.locator("#id_password").fill(PASSWORD)
        desk.locator("main button[type=submit]").click()
        desk.wait_for_url(f"{live_server.url}/")
        desk.goto(f"{live_server.url}/workorders/")
        assert number in desk.locator("main").inner_text()
    finally:
        context.close()
