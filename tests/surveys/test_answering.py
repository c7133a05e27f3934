"""Answering from a link: one page, drafts saved and restored, conditional questions,
validation, submitting once, anonymous answers that cannot be joined back to a home,
and the public submit API with its error codes."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from ganzhi.surveys import answering, views_owner
from ganzhi.surveys import campaigns as services
from ganzhi.surveys.models import Answer, CallbackTask, Invitation, Response
from ganzhi.surveys.tokens import AlreadyAnswered, token_for
from tests.api.conftest import ApiClient
from tests.api.conftest import token_for as api_token
from tests.surveys.test_campaigns import full_answers, make_questionnaire, wave


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def survey(world):
    return make_questionnaire(world.company, allow_anonymous=True)


@pytest.fixture
def invitation(world, survey):
    campaign = wave(world, [world.project_a], questionnaire=survey)
    services.invitations_issue(actor=world.hq, campaign=campaign)
    return Invitation.objects.get(household=world.household_x)


def page_url(invitation):
    return f"/s/{token_for(invitation)}/"


def form_data(answers, anonymous=False):
    data = {code: value for code, value in answers.items()}
    if anonymous:
        data["anonymous"] = "1"
    return data


def fieldset(html, code):
    match = re.search(rf'<fieldset class="card q[^"]*" id="q-{re.escape(code)}"[^>]*>', html)
    assert match, code
    return match.group(0)


# --- the page ------------------------------------------------------------------------


def test_one_page_with_every_question_and_the_follow_up_hidden(
    client, invitation, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        response = client.get(page_url(invitation))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<fieldset class="card q') == 10
    assert html.count("<form") == 1 and 'name="csrfmiddlewaretoken"' in html
    assert html.count('name="recommend" value="') == 11  # 0–10 as a row of buttons
    assert html.count('name="q1" value="') == 5 and "stars5" in fieldset(html, "q1") + html
    assert " hidden" in fieldset(html, "recommend-why")  # detractors only
    assert " hidden" not in fieldset(html, "recommend")
    assert "data-show-if" in fieldset(html, "recommend-why")
    assert "/static/surveys/answer.js" in html and "cdn" not in html.lower()
    assert 'name="anonymous"' in html
    assert response.cookies[views_owner.DEVICE_COOKIE]["httponly"]
    invitation.refresh_from_db()
    assert invitation.opened_at is not None
    draft = Response.objects.get()
    assert draft.household == invitation.household and draft.submitted_at is None
    assert draft.building == invitation.household.unit.building


def test_the_draft_is_saved_as_the_owner_goes_and_restored(client, invitation):
    url = page_url(invitation)
    client.get(url)
    started = Response.objects.get().started_at
    saved = client.post(
        url + "save/",
        {"q1": "5", "q2": "3", "recommend": "3", "recommend-why": "电梯经常坏"},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert saved.status_code == 200 and saved.json() == {"saved": True, "errors": {}}
    # reopened later: the same draft, the answers checked again, the follow-up shown
    html = client.get(url).content.decode()
    assert Response.objects.count() == 1 and Response.objects.get().started_at == started
    assert 'name="q1" value="5" checked' in html and 'name="q2" value="3" checked' in html
    assert 'name="recommend" value="3" checked' in html and "电梯经常坏</textarea>" in html
    assert " hidden" not in fieldset(html, "recommend-why")
    # a blank value clears a saved answer; an invalid one is refused and not saved
    saved = client.post(url + "save/", {"q1": "5", "recommend": "11"})
    assert saved.json()["errors"].keys() == {"recommend"}
    values = answering.answers_of(Response.objects.get())
    assert values == {"q1": 5, "recommend": 3}  # q2 and the text were cleared


def test_the_follow_up_is_asked_of_detractors_only(client, invitation):
    url = page_url(invitation)
    client.get(url)
    client.post(url + "save/", {"recommend": "9"})
    assert " hidden" in fieldset(client.get(url).content.decode(), "recommend-why")
    client.post(url + "save/", {"recommend": "6", "recommend-why": "保洁不及时"})
    assert " hidden" not in fieldset(client.get(url).content.decode(), "recommend-why")
    # a detractor must say why (the follow-up is required when shown) …
    response = client.post(url, form_data(full_answers(recommend=2)))
    assert response.status_code == 422
    assert set(response.context["errors"]) == {"recommend-why"}
    # … a promoter is not asked, and an earlier draft answer to it is dropped on submit
    client.post(url + "save/", {"recommend-why": "保洁不及时"})
    response = client.post(url, form_data({**full_answers(recommend=10), "recommend-why": "x"}))
    assert response.status_code == 302 and response.url == "/s/thanks/"
    submitted = Response.objects.get()
    assert "recommend-why" not in answering.answers_of(submitted)
    assert submitted.answers.count() == 9


def test_required_questions_and_ranges_are_checked(client, invitation):
    url = page_url(invitation)
    client.get(url)
    answers = full_answers()
    del answers["q2"]
    answers["q3"] = "9"  # outside 1–5
    response = client.post(url, form_data(answers))
    assert response.status_code == 422
    assert set(response.context["errors"]) == {"q2", "q3"}
    html = response.content.decode()
    assert "has-error" in fieldset(html, "q2") and 'role="alert"' in html
    draft = Response.objects.get()
    assert draft.submitted_at is None
    assert answering.answers_of(draft)["q1"] == 5  # the valid answers are kept
    invitation.refresh_from_db()
    assert invitation.completed_at is None


def test_submitting_once_with_hashes_and_the_quality_loop(client, world, invitation):
    url = page_url(invitation)
    client.get(url)
    response = client.post(url, form_data(full_answers(recommend=3, why="报修没人管")))
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200
    submitted = Response.objects.get()
    invitation.refresh_from_db()
    assert submitted.submitted_at is not None and invitation.completed_at == submitted.submitted_at
    assert submitted.duration_seconds is not None and submitted.duration_seconds >= 0
    assert submitted.invitation == invitation and submitted.household == world.household_x
    for value in (submitted.device_hash, submitted.address_hash):
        assert re.fullmatch(r"[0-9a-f]{64}", value)
    assert "127.0.0.1" not in str(Response.objects.values().get())
    assert submitted.quality_flags == [] and not submitted.excluded  # C's checks ran
    assert CallbackTask.objects.get().reason == "detractor"  # C's call-back
    # a second submit with the same link: already answered, nothing changes
    again = client.post(url, form_data(full_answers(recommend=10)))
    assert again.status_code == 200
    assert again.templates[0].name == "surveys/answer_done.html"
    assert Response.objects.count() == 1
    assert answering.answers_of(Response.objects.get())["recommend"] == 3
    with pytest.raises(AlreadyAnswered):
        answering.survey_response_submit(response=submitted)


def test_anonymous_answers_cannot_be_joined_back_to_the_household(client, world, invitation):
    url = page_url(invitation)
    client.get(url)
    named = Response.objects.get()
    response = client.post(url, form_data(full_answers(recommend=1, why="太差"), anonymous=True))
    assert response.status_code == 302
    answer = Response.objects.get(pk=named.pk)
    assert answer.is_anonymous and answer.submitted_at is not None
    assert answer.household is None and answer.invitation is None and answer.workorder is None
    assert answer.project == world.project_a  # still counts for the project's scores
    invitation.refresh_from_db()
    assert invitation.completed_at is not None  # the link is used up …
    local = timezone.localtime(invitation.completed_at)
    assert (local.hour, local.minute, local.second) == (0, 0, 0)  # … at no exact time
    assert not Response.objects.filter(invitation=invitation).exists()
    assert not Response.objects.filter(household=world.household_x).exists()
    assert not Invitation.objects.filter(response__isnull=False).exists()
    assert not CallbackTask.objects.exists()  # nobody to call back
    assert answer.answers.count() == 10
    # the link is used up
    assert client.get(url).templates[0].name == "surveys/answer_done.html"

    # the same phone answering a named survey leaves a different device hash
    other = Invitation.objects.exclude(pk=invitation.pk).get()
    client.get(page_url(other))
    client.post(page_url(other), form_data(full_answers()))
    named_answer = Response.objects.get(invitation=other)
    assert named_answer.device_hash and named_answer.device_hash != answer.device_hash
    assert named_answer.address_hash != answer.address_hash


def test_anonymous_only_when_the_questionnaire_allows_it(client, world):
    survey = make_questionnaire(world.company, allow_anonymous=False, name="实名调查")
    campaign = wave(world, [world.project_a], questionnaire=survey)
    services.invitations_issue(actor=world.hq, campaign=campaign)
    invitation = Invitation.objects.get(household=world.household_x)
    url = page_url(invitation)
    assert 'name="anonymous"' not in client.get(url).content.decode()
    response = client.post(url, form_data(full_answers(), anonymous=True))
    assert response.status_code == 422 and "anonymous" in response.context["errors"]
    assert Response.objects.get().household == world.household_x


# --- the public API ------------------------------------------------------------------


def test_api_submit_and_its_error_codes(client, world, invitation, monkeypatch):
    def submit(body, **headers):
        return client.post("/api/v1/responses", body, content_type="application/json", **headers)

    token = token_for(invitation)
    response = submit({"token": token, "answers": full_answers(recommend=12)})
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert set(response.json()["details"]) == {"recommend"}
    response = submit({"token": token, "answers": {"q1": 5}})
    assert response.status_code == 422
    assert "q2" in response.json()["details"] and "q1" not in response.json()["details"]
    assert not Answer.objects.exists()  # a refused submit saves nothing

    response = submit({"token": token, "answers": full_answers()})
    assert response.status_code == 201, response.content
    body = response.json()
    submitted = Response.objects.get(public_id=body["id"])
    assert body["anonymous"] is False and submitted.household == world.household_x

    response = submit({"token": token, "answers": full_answers()})
    assert response.status_code == 409 and response.json()["code"] == "already_answered"
    response = submit({"token": "forged.token", "answers": {}})
    assert response.status_code == 404 and response.json()["code"] == "invalid_token"
    other = Invitation.objects.exclude(pk=invitation.pk).get()
    with time_machine.travel(other.expires_at + dt.timedelta(hours=1)):
        response = submit({"token": token_for(other), "answers": full_answers()})
    assert response.status_code == 410 and response.json()["code"] == "expired"

    monkeypatch.setitem(views_owner.LIMITS, "submit", (0, 3600))
    response = submit({"token": token_for(other), "answers": full_answers()})
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"


def test_api_anonymous_submit(client, world, invitation):
    response = client.post(
        "/api/v1/responses",
        {"token": token_for(invitation), "answers": full_answers(), "anonymous": True},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["anonymous"] is True
    answer = Response.objects.get()
    assert answer.household is None and answer.invitation is None


def test_api_lists_campaigns_and_invitations_in_scope(world, invitation):
    manager = ApiClient(api_token("manager"))
    campaign = invitation.campaign
    wave(world, [world.project_b], name="B的调查")
    response = manager.get("/campaigns")
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["items"]] == [campaign.name]
    progress = manager.get(f"/campaigns/{campaign.public_id}").json()["progress"]
    assert progress["invited"] == 2 and progress["strata"][0]["target"] == 2
    items = manager.get(f"/campaigns/{campaign.public_id}/invitations").json()["items"]
    assert len(items) == 2 and all("/s/" in item["link"] for item in items)
    assert all(item["unit"].startswith("1栋") for item in items)
    region = ApiClient(api_token("region"))  # 华南 does not hold project A
    assert region.get(f"/campaigns/{campaign.public_id}").status_code == 404
    assert ApiClient().get("/campaigns").status_code == 401


def test_pairs_and_multiple_choice(client, world):
    from ganzhi.surveys.models import Question, Questionnaire

    survey = Questionnaire.objects.create(
        company=world.company,
        name="期望与感知",
        kind=Questionnaire.Kind.RELATIONSHIP,
        status=Questionnaire.Status.PUBLISHED,
    )
    Question.objects.bulk_create(
        [
            Question(questionnaire=survey, code="lift", type="ep", text="电梯运行", sort_order=1),
            Question(
                questionnaire=survey,
                code="wish",
                type="multiple",
                text="您希望改进哪些方面？",
                options=[{"value": "clean", "label": "保洁"}, {"value": "green", "label": "绿化"}],
                sort_order=2,
            ),
            Question(
                questionnaire=survey,
                code="wish-more",
                type="text",
                text="绿化方面具体说说",
                required=False,
                show_if={"question": "wish", "op": "in", "value": ["green"]},
                sort_order=3,
            ),
        ]
    )
    campaign = wave(world, [world.project_a], questionnaire=survey)
    services.invitations_issue(actor=world.hq, campaign=campaign)
    invitation = Invitation.objects.get(household=world.household_x)
    url = page_url(invitation)
    html = client.get(url).content.decode()
    assert html.count('name="lift__e"') == 5 and html.count('name="lift__p"') == 5
    assert 'type="checkbox" name="wish" value="green"' in html
    response = client.post(url, {"lift__e": "5", "wish": ["clean", "green"]})
    assert response.status_code == 422 and set(response.context["errors"]) == {"lift"}
    assert " hidden" not in fieldset(response.content.decode(), "wish-more")
    response = client.post(url, {"lift__e": "5", "lift__p": "3", "wish": ["green"]})
    assert response.status_code == 302
    answers = {a.question.code: a for a in Answer.objects.select_related("question")}
    assert (answers["lift"].expectation, answers["lift"].number) == (5, 3)
    assert answers["wish"].choices == ["green"]
    assert answering.answers_of(Response.objects.get()) == {
        "lift": {"expectation": 5, "perception": 3},
        "wish": ["green"],
    }
