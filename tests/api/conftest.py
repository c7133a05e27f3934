import pytest
from django.test import Client

from tests.conftest import PASSWORD


class ApiClient:
    """The Django test client speaking JSON with a bearer token."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path, data):
        return self.client.post(
            f"/api/v1{path}", data, content_type="application/json", headers=self.headers
        )

    def patch(self, path, data):
        return self.client.patch(
            f"/api/v1{path}", data, content_type="application/json", headers=self.headers
        )


def token_for(username: str) -> str:
    response = ApiClient().post("/auth/token", {"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def api_as(world):
    """api_as("manager") → an ApiClient holding that persona's token."""
    return lambda username: ApiClient(token_for(username))
