import datetime as dt

import time_machine
from django.core.cache import cache

from ganzhi.api.models import ApiToken
from tests.api.conftest import ApiClient, token_for


def test_token_for_valid_credentials_is_stored_hashed(world):
    token = token_for("manager")
    assert len(token) >= 40
    stored = ApiToken.objects.get(user=world.manager)
    assert stored.key_hash != token and len(stored.key_hash) == 64


def test_wrong_password_answers_401_with_code(world):
    response = ApiClient().post("/auth/token", {"username": "manager", "password": "nope"})
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "invalid_credentials"
    assert body["message"] == "用户名或密码错误。"
    assert "details" in body


def test_repeated_failures_lock_the_login_even_with_the_right_password(world, settings):
    cache.clear()
    for _ in range(settings.GANZHI_LOGIN_MAX_FAILURES):
        assert (
            ApiClient().post("/auth/token", {"username": "hq", "password": "wrong"}).status_code
            == 401
        )
    response = ApiClient().post("/auth/token", {"username": "hq", "password": "pw-123456"})
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_attempts"
    cache.clear()


def test_calls_without_or_with_a_bad_token_answer_401(world):
    for client in (ApiClient(), ApiClient("made-up-token")):
        response = client.get("/projects")
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


def test_expired_token_answers_401(world):
    token = token_for("hq")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=31)):
        assert ApiClient(token).get("/projects").status_code == 401


def test_inactive_user_token_answers_401(world):
    token = token_for("hq")
    world.hq.is_active = False
    world.hq.save()
    assert ApiClient(token).get("/projects").status_code == 401


def test_malformed_body_answers_422_with_details(world):
    response = ApiClient().post("/auth/token", {"username": "hq"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert any("password" in str(item["loc"]) for item in body["details"])


def test_openapi_and_docs_are_served_locally(world):
    client = ApiClient()
    schema = client.get("/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/projects" in schema.json()["paths"]
    docs = client.client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
