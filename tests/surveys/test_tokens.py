"""Invitation links: stable, unguessable, tamper-proof, expiring, single-use; the public
page refuses each case with its own page, and too many requests answer 429."""

import datetime as dt
import secrets

import pytest
import time_machine
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from ganzhi.surveys import campaigns as services
from ganzhi.surveys import views_owner
from ganzhi.surveys.models import Invitation
from ganzhi.surveys.tokens import (
    AlreadyAnswered,
    ExpiredToken,
    InvalidToken,
    invitation_for_token,
    token_for,
)
from tests.surveys.test_campaigns import wave


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def invitations(world):
    campaign = wave(world, [world.project_a])
    services.invitations_issue(actor=world.hq, campaign=campaign)
    return list(Invitation.objects.order_by("id"))


def test_a_token_opens_exactly_its_invitation(invitations):
    first, second = invitations
    token = token_for(first)
    assert token == token_for(Invitation.objects.get(pk=first.pk))  # stable, not stored
    assert token != token_for(second)
    assert invitation_for_token(token) == first
    assert invitation_for_token(token_for(second)) == second
    assert str(first.public_id) not in token and first.public_id.hex not in token
    assert len(token) >= 60  # 128-bit id + 256-bit signature; printable in an SMS


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: secrets.token_urlsafe(40),  # a random guess
        lambda t: "",
        lambda t: t[:-1],  # cut off in an SMS
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature edited
        lambda t: ("1" if t[0] != "1" else "2") + t[1:],  # id edited
        lambda t: t.replace(".", ":"),
        lambda t: t + "x" * 200,
    ],
)
def test_guessed_or_tampered_tokens_are_not_found(invitations, mangle):
    with pytest.raises(InvalidToken) as caught:
        invitation_for_token(mangle(token_for(invitations[0])))
    assert caught.value.code == "invalid_token" and caught.value.status == 404


def test_a_validly_signed_token_needs_a_live_invitation_and_our_salt(invitations):
    invitation = invitations[0]
    other_salt = signing.Signer(salt="ganzhi.portal", sep=".").sign(
        signing.b62_encode(invitation.public_id.int)
    )
    with pytest.raises(InvalidToken):
        invitation_for_token(other_salt)
    token = token_for(invitation)
    invitation.delete()
    with pytest.raises(InvalidToken):
        invitation_for_token(token)


def test_expired_answered_and_closed_are_told_apart(world, invitations):
    first, second = invitations
    token = token_for(first)
    with time_machine.travel(first.expires_at + dt.timedelta(seconds=1)):
        with pytest.raises(ExpiredToken) as caught:
            invitation_for_token(token)
        assert caught.value.code == "expired" and caught.value.status == 410
    with time_machine.travel(first.expires_at - dt.timedelta(seconds=5)):
        assert invitation_for_token(token) == first
    Invitation.objects.filter(pk=first.pk).update(completed_at=timezone.now())
    with pytest.raises(AlreadyAnswered) as caught:
        invitation_for_token(token)
    assert caught.value.code == "already_answered" and caught.value.status == 409
    with (
        time_machine.travel(first.expires_at + dt.timedelta(days=1)),
        pytest.raises(AlreadyAnswered),  # answered wins over expired
    ):
        invitation_for_token(token)
    services.campaign_close(actor=world.hq, campaign=second.campaign)
    with pytest.raises(ExpiredToken):
        invitation_for_token(token_for(second))


def test_the_public_page_for_each_kind_of_link(client, invitations):
    first, second = invitations
    assert client.get(f"/s/{token_for(first)}/").status_code == 200
    response = client.get("/s/not-a-real-token/")
    assert response.status_code == 404
    assert response.templates[0].name == "surveys/answer_invalid.html"
    Invitation.objects.filter(pk=first.pk).update(completed_at=timezone.now())
    response = client.get(f"/s/{token_for(first)}/")
    assert response.status_code == 200
    assert response.templates[0].name == "surveys/answer_done.html"
    with time_machine.travel(second.expires_at + dt.timedelta(minutes=1)):
        response = client.get(f"/s/{token_for(second)}/")
    assert response.status_code == 410
    assert response.templates[0].name == "surveys/answer_expired.html"
    # the save endpoint answers the same codes as JSON
    response = client.post("/s/nope/save/", {}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 404 and response.json()["code"] == "invalid_token"


def test_guessing_links_gets_an_address_blocked(client, invitations):
    limit, _window = views_owner.LIMITS["invalid"]
    for attempt in range(limit):
        assert client.get(f"/s/guess-{attempt}/").status_code == 404
    # now even a valid link is refused from this address for a while
    assert client.get(f"/s/{token_for(invitations[0])}/").status_code == 429
    other = client.__class__(REMOTE_ADDR="10.9.8.7")
    assert other.get(f"/s/{token_for(invitations[0])}/").status_code == 200


def test_too_many_requests_answer_429(client, invitations, monkeypatch):
    monkeypatch.setitem(views_owner.LIMITS, "request", (3, 3600))
    url = f"/s/{token_for(invitations[0])}/"
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    response = client.post(url + "save/", {}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
