"""GET /api/v1/scores, /libraries and /questionnaires through the HTTP stack, per persona."""

import pytest

from ganzhi.surveys.library import library_create_default
from ganzhi.surveys.questionnaires import questionnaire_from_library
from tests.api.conftest import ApiClient, token_for
from tests.surveys.test_scoring import four, published, tiny  # noqa: F401  (fixtures)


@pytest.fixture
def api(world):
    return lambda username: ApiClient(token_for(username))


def test_scores_answer_exactly_the_documented_shape(api, world, four):  # noqa: F811
    response = api("hq").get("/scores", org=str(world.project_a.public_id), period="2026-07")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"n", "index", "nps", "satisfied_share", "suppressed"}
    assert set(body["nps"]) == set(body["satisfied_share"]) == {"value", "ci_low", "ci_high"}
    # the worked example of test_scoring: index 63.66, NPS 25 (−44.16 … 72.73), share .5
    assert body["n"] == 4 and body["suppressed"] is False
    assert body["index"] == pytest.approx(63.66)
    assert body["nps"]["value"] == pytest.approx(25.0)
    assert body["nps"]["ci_low"] == pytest.approx(-44.1598, abs=1e-3)
    assert body["satisfied_share"] == pytest.approx(
        {"value": 0.5, "ci_low": 0.150039, "ci_high": 0.849961}, abs=1e-5
    )


def test_scores_filters(api, world, four):  # noqa: F811
    hq = api("hq")
    org = str(world.project_a.public_id)
    body = hq.get("/scores", org=org, period="2026-Q3", post="cleaning").json()
    assert body["index"] == pytest.approx(70.5)
    body = hq.get(
        "/scores", org=org, period="2026", post="cleaning", dimension="reliability"
    ).json()
    assert body["index"] == pytest.approx(62.5)
    assert hq.get("/scores", org=org, period="2026", dimension="beauty").status_code == 422
    unknown_post = hq.get("/scores", org=org, period="2026", post="pets")
    assert unknown_post.status_code == 422 and unknown_post.json()["code"] == "invalid_post"


def test_suppressed_scores_have_null_values(api, world, four, settings):  # noqa: F811
    settings.GANZHI_MIN_SAMPLE = 30
    body = api("hq").get("/scores", org=str(world.company.public_id), period="2026").json()
    assert body == {
        "n": 4,
        "index": None,
        "nps": {"value": None, "ci_low": None, "ci_high": None},
        "satisfied_share": {"value": None, "ci_low": None, "ci_high": None},
        "suppressed": True,
    }


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "26", "2026/07", "July"])
def test_bad_periods_answer_422_with_a_clear_message(api, world, period):
    response = api("hq").get("/scores", org=str(world.project_a.public_id), period=period)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_period"
    assert "2026-Q3" in body["message"] and "2026-07" in body["message"]


def test_missing_or_malformed_parameters_answer_422(api, world):
    hq = api("hq")
    assert hq.get("/scores", period="2026").status_code == 422
    assert hq.get("/scores", org="nope", period="2026").status_code == 422
    assert hq.get("/scores", org=str(world.project_a.public_id)).status_code == 422


@pytest.mark.parametrize(
    ("username", "unit", "status"),
    [
        ("hq", "company", 200),
        ("hq", "east", 200),
        ("region", "south", 200),
        ("region", "project_c", 200),
        ("region", "project_a", 404),
        ("region", "company", 404),
        ("manager", "project_a", 200),
        ("manager", "east", 404),
        ("manager", "company", 404),
        ("staff", "project_b", 200),
        ("staff", "project_a", 404),
        ("outsider", "project_a", 404),
        ("outsider", "company", 404),
        ("owner", "project_a", 403),
        ("frontline", "project_a", 403),
    ],
)
def test_scores_per_persona(api, world, username, unit, status):
    public_id = (world.company if unit == "company" else getattr(world, unit)).public_id
    response = api(username).get("/scores", org=str(public_id), period="2026")
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["n"] == 0 and response.json()["suppressed"] is True


def test_unknown_org_is_not_found(api, world):
    response = api("hq").get("/scores", org="00000000-0000-0000-0000-000000000000", period="2026")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_scores_need_a_token(world):
    assert (
        ApiClient().get("/scores", org=str(world.project_a.public_id), period="2026").status_code
        == 401
    )


# --- libraries and questionnaires ------------------------------------------------------------


@pytest.fixture
def default(world):
    return library_create_default(company=world.company)


def test_library_list_and_tree(api, world, default):
    listed = api("manager").get("/libraries").json()
    assert [item["id"] for item in listed["items"]] == [str(default.public_id)]
    assert listed["items"][0]["version"] == 1 and listed["items"][0]["is_locked"] is False
    body = api("hq").get(f"/libraries/{default.public_id}").json()
    assert body["valid"] is True and body["problems"] == []
    assert [post["code"] for post in body["tree"]] == [
        "cs",
        "security",
        "cleaning",
        "greening",
        "engineering",
        "housekeeper",
    ]
    cleaning = body["tree"][2]
    assert cleaning["level"] == "post" and cleaning["post"] == "cleaning"
    assert len(cleaning["children"]) == 5
    tangibles = cleaning["children"][0]
    assert tangibles["dimension"] == "tangibles" and tangibles["text"] == "有形度"
    assert tangibles["children"][0]["text"] == "楼道、电梯轿厢干净整洁"
    assert float(tangibles["children"][0]["weight"]) == 0.6


def test_library_shows_validation_problems(api, world, default):
    default.nodes.filter(code="cleaning-tangibles-1").update(weight="0.5")
    body = api("hq").get(f"/libraries/{default.public_id}").json()
    assert body["valid"] is False and len(body["problems"]) == 1
    assert "保洁 › 有形度" in body["problems"][0]


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("hq", 200),
        ("region", 200),
        ("manager", 200),
        ("staff", 200),
        ("outsider", 404),
        ("owner", 403),
        ("frontline", 403),
    ],
)
def test_library_and_questionnaire_endpoints_per_persona(api, world, default, username, status):
    questionnaire = questionnaire_from_library(
        actor=world.hq, library=default, name="年度调查", kind="relationship"
    )
    client = api(username)
    assert client.get(f"/libraries/{default.public_id}").status_code == status
    assert client.get(f"/questionnaires/{questionnaire.public_id}").status_code == status
    listed = client.get("/libraries")
    assert listed.status_code == (403 if status == 403 else 200)
    if username == "outsider":
        assert listed.json()["items"] == []
        assert client.get("/questionnaires").json()["items"] == []


def test_questionnaire_list_and_detail(api, world, tiny):  # noqa: F811
    questionnaire = published(world, tiny, name="保洁与秩序")
    hq = api("hq")
    listed = hq.get("/questionnaires", status="published").json()
    assert [q["name"] for q in listed["items"]] == ["保洁与秩序"]
    assert hq.get("/questionnaires", status="draft").json()["items"] == []
    body = hq.get(f"/questionnaires/{questionnaire.public_id}").json()
    assert body["status"] == "published"
    assert body["library"] == {"id": str(tiny.public_id), "name": "小库", "version": 1}
    codes = [q["code"] for q in body["questions"]]
    assert codes[:3] == ["ct1", "ct2", "cr1"]
    assert codes[-4:] == ["overall", "recommend", "recommend-why", "renew"]
    why = next(q for q in body["questions"] if q["code"] == "recommend-why")
    assert why["show_if"] == {"question": "recommend", "op": "lte", "value": 6}
    first = body["questions"][0]
    assert first["indicator"] == "ct1" and first["type"] == "rating" and first["scale_max"] == 5
