"""How owners get in: signed links, phone login with a code, a Django owner login."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from ganzhi.notifications.models import Delivery, Notification
from ganzhi.portal import access
from ganzhi.workorders import services as wo_services
from tests.portal.conftest import english_client

START = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)


def make_order(world, unit=None, title="厨房水管漏水"):
    return wo_services.workorder_create(
        actor=world.cs_a,
        project=world.project_a,
        category=world.categories["repair-water"],
        title=title,
        channel="phone",
        unit=unit or world.unit_x,
    )


def track(token: str) -> str:
    return reverse("portal:track", args=[token])


# --- signed links ------------------------------------------------------------------


def test_order_link_opens_that_order_until_it_expires(wo):
    with time_machine.travel(START, tick=False):
        order = make_order(wo)
        token = access.order_token(order)
    client = english_client()
    with time_machine.travel(START + dt.timedelta(days=6, hours=23), tick=False):
        response = client.get(track(token))
        assert response.status_code == 200
        assert order.number in response.content.decode()
    with time_machine.travel(START + dt.timedelta(days=7, minutes=1), tick=False):
        response = client.get(track(token))
        assert response.status_code == 404
        assert order.number not in response.content.decode()
        assert client.post(reverse("portal:track_urge", args=[token])).status_code == 404


def test_link_lifetime_follows_the_setting(wo, settings):
    settings.GANZHI_PORTAL_LINK_DAYS = 1
    with time_machine.travel(START, tick=False):
        token = access.order_token(make_order(wo))
    with time_machine.travel(START + dt.timedelta(hours=25), tick=False):
        assert english_client().get(track(token)).status_code == 404


def test_tampered_and_swapped_links_are_404(wo):
    order_a = make_order(wo, title="A 单")
    order_b = make_order(wo, unit=wo.unit_y, title="B 单")
    token_a = access.order_token(order_a)
    client = english_client()
    # A's signature with B's id
    swapped = token_a.replace(order_a.public_id.hex, order_b.public_id.hex)
    assert swapped != token_a
    # a signature made with another salt (as another part of the site might sign)
    foreign = signing.TimestampSigner(salt="elsewhere").sign(f"o.{order_b.public_id.hex}")
    for bad in (swapped, foreign, token_a[:-2] + "xx", "o." + order_b.public_id.hex, "x"):
        response = client.get(track(bad))
        assert response.status_code == 404
        assert order_b.number not in response.content.decode()
    # A's link never reaches B: not even through the owner pages
    assert client.get(track(token_a)).status_code == 200
    assert client.get(reverse("portal:order", args=[order_b.public_id])).status_code == 302
    # nor is an order token accepted as an owner login
    assert client.get(reverse("portal:home")).status_code == 302


def test_owner_link_logs_in_for_the_households_orders(wo):
    mine = make_order(wo, title="我家的单")
    theirs = make_order(wo, unit=wo.unit_y, title="邻居的单")
    with time_machine.travel(START, tick=False):
        token = access.owner_token(wo.owner_x)
    client = english_client()
    with time_machine.travel(START + dt.timedelta(days=2), tick=False):
        response = client.get(track(token))
        assert response.status_code == 302 and response["Location"] == reverse("portal:home")
        home = client.get(reverse("portal:home")).content.decode()
        assert mine.number in home and theirs.number not in home
        # the session lasts no longer than the link would
        assert client.session.get_expiry_age() <= 5 * 24 * 3600
    with time_machine.travel(START + dt.timedelta(days=8), tick=False):
        assert english_client().get(track(token)).status_code == 404


# --- phone login ---------------------------------------------------------------------


def test_phone_login_in_demo_mode_shows_the_code(wo, settings):
    settings.GANZHI_DEMO = True
    order = make_order(wo)
    client = english_client()
    response = client.post(reverse("portal:login"), {"phone": "138 1234 1234"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "Demo mode" in body and "138****1234" in body
    code = re.search(r'data-testid="demo-code">(\d{6})<', body).group(1)
    response = client.post(reverse("portal:login_code"), {"code": code})
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert client.session[access.SESSION_KEY] == [wo.owner_x.pk]
    assert order.number in client.get(reverse("portal:home")).content.decode()
    # the code is used up
    client.post(reverse("portal:logout"))
    assert access.login_code_verify(phone="13812341234", code=code)[0] == "exhausted"


def test_phone_login_sends_the_code_by_sms_only_and_keeps_no_plain_copy(wo):
    from django.core.cache import cache

    client = english_client()
    response = client.post(reverse("portal:login"), {"phone": "13812341234"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "demo-code" not in page
    deliveries = dict(
        Delivery.objects.filter(event="portal_login_code").values_list("channel", "status")
    )
    assert deliveries == {"sms": "skipped", "email": "skipped"}  # no SMS provider in tests
    assert Notification.objects.count() == 0  # never into an inbox
    # the code the view issued is nowhere in plain text: the cache keeps a keyed hash
    entry = cache.get("portal:code:13812341234")
    assert set(entry) == {"nonce", "hash"}
    # the same function the view uses issues a fresh code, which logs in
    code = access.login_code_issue(phone="13812341234")
    assert code not in str(entry)
    response = client.post(reverse("portal:login_code") + "?next=/p/report/", {"code": code})
    assert response["Location"] == "/p/report/"


def test_five_wrong_tries_void_the_code(wo):
    client = english_client()
    client.post(reverse("portal:login"), {"phone": "13812341234"})
    code = access.login_code_issue(phone="13812341234")
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(5):
        response = client.post(reverse("portal:login_code"), {"code": wrong})
        assert response.status_code == 200
        expected = "not right" if attempt < 4 else "no longer valid"
        assert expected in response.content.decode()
    response = client.post(reverse("portal:login_code"), {"code": code})
    assert "no longer valid" in response.content.decode()
    assert access.SESSION_KEY not in client.session


def test_code_expires_after_ten_minutes(wo):
    client = english_client()
    with time_machine.travel(START, tick=False):
        client.post(reverse("portal:login"), {"phone": "13812341234"})
        code = access.login_code_issue(phone="13812341234")
    with time_machine.travel(START + dt.timedelta(minutes=11), tick=False):
        response = client.post(reverse("portal:login_code"), {"code": code})
        assert "no longer valid" in response.content.decode()


def test_unregistered_phone_looks_the_same_but_gets_no_code(wo, settings):
    settings.GANZHI_DEMO = True
    client = english_client()
    response = client.post(reverse("portal:login"), {"phone": "13700009999"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "137****9999" in page and "demo-code" not in page
    assert not Delivery.objects.filter(event="portal_login_code").exists()
    assert access.login_code_issue(phone="13700009999") is None


def test_invalid_phone_is_refused_without_sending(wo):
    response = english_client().post(reverse("portal:login"), {"phone": "12345"})
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert not Delivery.objects.exists()


def test_code_requests_are_limited_per_phone_and_per_address(wo):
    client = english_client()
    for _ in range(3):
        assert client.post(reverse("portal:login"), {"phone": "13812341234"}).status_code == 302
    response = client.post(reverse("portal:login"), {"phone": "13812341234"})
    assert response.status_code == 429
    assert Delivery.objects.filter(event="portal_login_code", channel="sms").count() == 3
    # another address, the same phone: still limited by phone
    other = english_client(REMOTE_ADDR="10.1.1.1")
    assert other.post(reverse("portal:login"), {"phone": "13812341234"}).status_code == 429
    # one address, many phones: limited by address after 10
    roamer = english_client(REMOTE_ADDR="10.2.2.2")
    statuses = [
        roamer.post(reverse("portal:login"), {"phone": f"1390000{i:04d}"}).status_code
        for i in range(11)
    ]
    assert statuses == [302] * 10 + [429]


def test_django_owner_login_also_opens_the_portal(wo):
    order = make_order(wo)
    client = english_client()
    assert client.get(reverse("portal:home")).status_code == 302
    client.force_login(wo.owner)  # the owner user linked to 张伟
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200 and order.number in response.content.decode()
    # staff logins are not owners
    staff_client = english_client()
    staff_client.force_login(wo.cs_a)
    assert staff_client.get(reverse("portal:home")).status_code == 302


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/p/"])
def test_login_never_redirects_off_site(wo, target):
    client = english_client()
    client.post(reverse("portal:login"), {"phone": "13812341234"})
    code = access.login_code_issue(phone="13812341234")
    response = client.post(reverse("portal:login_code"), {"code": code, "next": target})
    assert response["Location"] == reverse("portal:home")


def test_logout_ends_the_portal_session(wo):
    client = english_client()
    client.get(track(access.owner_token(wo.owner_x)))
    assert client.get(reverse("portal:home")).status_code == 200
    assert client.post(reverse("portal:logout")).status_code == 302
    assert client.get(reverse("portal:home")).status_code == 302
    # an owner's Django login ends as well
    client.force_login(wo.owner)
    assert client.get(reverse("portal:home")).status_code == 200
    client.post(reverse("portal:logout"))
    assert client.get(reverse("portal:home")).status_code == 302
