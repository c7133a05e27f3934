"""The detractor loop: tasks on submit, the call-back queue, outcomes (with a work order)
and the conversion of detractors, checked against a hand-computed example."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from ganzhi.core.errors import DomainError
from ganzhi.org.models import Staff
from ganzhi.surveys.callbacks import (
    callback_record,
    create_callbacks,
    detractor_conversion,
    is_low_item,
)
from ganzhi.surveys.models import CallbackTask
from ganzhi.workorders.models import WorkOrder
from tests.surveys.test_quality import NOW, make_questionnaire, make_response


@pytest.fixture
def api_as(world):
    from tests.api.conftest import ApiClient, token_for

    return lambda username: ApiClient(token_for(username))


@pytest.fixture
def survey(world):
    return make_questionnaire(world.company)


def test_detractor_and_low_item_tasks(wo, survey, django_capture_on_commit_callbacks):
    from ganzhi.notifications.models import Notification

    response = make_response(
        survey, wo.project_a, household=wo.household_x, recommend=4, scores=[5, 2, 4, 4, 1, 4]
    )
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        tasks = create_callbacks(response)
    after = timezone.now()
    assert sorted(t.reason for t in tasks) == ["detractor", "low_item"]
    cs_a = Staff.objects.get(user=wo.cs_a)
    for task in tasks:
        assert task.project == wo.project_a and task.household == wo.household_x
        assert task.assigned_to == cs_a  # the project's customer service
        day = dt.timedelta(hours=24)
        assert before + day <= task.due_at <= after + day
    low = next(t for t in tasks if t.reason == "low_item")
    assert ": 2" in low.detail and ": 1" in low.detail
    # the customer service is told once
    assert Notification.objects.filter(recipient=wo.cs_a, event="survey_callback").count() == 1
    # once per response and reason
    with django_capture_on_commit_callbacks(execute=True):
        assert [t.pk for t in create_callbacks(response)] == [t.pk for t in tasks]
    assert CallbackTask.objects.count() == 2
    assert Notification.objects.filter(event="survey_callback").count() == 1


def test_happy_owner_anonymous_and_unassigned(world, survey):
    happy = make_response(survey, world.project_a, household=world.household_x, recommend=9)
    assert create_callbacks(happy) == []
    anonymous = make_response(survey, world.project_a, recommend=0, anonymous=True)
    assert create_callbacks(anonymous) == []
    passive = make_response(
        survey, world.project_a, household=world.household_x, recommend=7, scores=[3] * 6
    )
    assert create_callbacks(passive) == []
    # project A has no customer service in the plain world: the task is unassigned
    detractor = make_response(survey, world.project_a, household=world.household_x, recommend=6)
    (task,) = create_callbacks(detractor)
    assert task.reason == "detractor" and task.assigned_to is None


@override_settings(GANZHI_CALLBACK_ITEM_THRESHOLD=3)
def test_item_threshold_setting(world, survey):
    response = make_response(
        survey, world.project_a, household=world.household_x, scores=[5, 3, 4, 4, 4, 4]
    )
    assert [t.reason for t in create_callbacks(response)] == ["low_item"]


def test_low_item_on_other_scales():
    assert is_low_item(2, 1, 5, 2) and not is_low_item(3, 1, 5, 2)
    assert is_low_item(2.5, 1, 7, 2) and not is_low_item(3, 1, 7, 2)
    assert is_low_item(25, 0, 100, 2) and not is_low_item(26, 0, 100, 2)


def test_the_submit_service_creates_the_task(world, survey):
    """Through B's submit service: submitting a detractor's draft makes the task."""
    from ganzhi.surveys import answering
    from ganzhi.surveys.models import Response

    draft = Response.objects.create(
        company=world.company,
        questionnaire=survey,
        project=world.project_a,
        household=world.household_x,
        started_at=NOW - dt.timedelta(minutes=3),
    )
    answers = {"nps": 2, "r1": 4, "r2": 3, "r3": 4, "r4": 5, "r5": 4, "r6": 3}
    answering.survey_response_submit(response=draft, answers=answers, device="cookie-1")
    (task,) = CallbackTask.objects.filter(response=draft)
    assert task.reason == "detractor" and task.household == world.household_x
    draft.refresh_from_db()
    assert draft.submitted_at and draft.device_hash and draft.quality_flags == []


# --- recording the outcome ------------------------------------------------------------


def detractor_task(wo, survey):
    response = make_response(survey, wo.project_a, household=wo.household_x, recommend=3)
    return create_callbacks(response)[0]


def test_outcome_opens_a_work_order(wo, survey):
    task = detractor_task(wo, survey)
    done = callback_record(
        actor=wo.cs_a,
        task=task,
        outcome="reached",
        issue_found="楼道灯坏了两周没人修\n业主很不满",
        create_workorder=True,
        category=wo.categories["repair-leak"],
        recovered=False,
    )
    order = WorkOrder.objects.get()
    assert done.workorder == order and done.done_by == wo.cs_a and done.done_at
    assert order.unit == wo.unit_x and order.project == wo.project_a
    assert order.title == "楼道灯坏了两周没人修" and order.channel == "phone"
    assert done.recovered is False and done.outcome == "reached"
    with pytest.raises(DomainError) as caught:
        callback_record(actor=wo.cs_a, task=task, outcome="reached")
    assert caught.value.status == 409


def test_outcome_refusals_write_nothing(wo, survey):
    task = detractor_task(wo, survey)
    for actor, status in ((wo.hq, 403), (wo.owner, 403), (wo.staff, 404), (wo.frontline, 403)):
        with pytest.raises(DomainError) as caught:
            callback_record(actor=actor, task=task, outcome="reached")
        assert caught.value.status == status, actor
    with pytest.raises(DomainError):
        callback_record(actor=wo.cs_a, task=task, outcome="maybe")
    with pytest.raises(DomainError) as caught:  # a work order needs a category
        callback_record(actor=wo.cs_a, task=task, outcome="reached", create_workorder=True)
    assert "category" in caught.value.details
    task.refresh_from_db()
    assert task.done_at is None and not WorkOrder.objects.exists()


def test_not_reached_keeps_no_recovery(wo, survey):
    task = detractor_task(wo, survey)
    done = callback_record(actor=wo.manager, task=task, outcome="not_reached", recovered=True)
    assert done.recovered is None and done.outcome == "not_reached"


# --- conversion ------------------------------------------------------------------------


def test_conversion_against_a_hand_computed_example(world, survey):
    """Six households, period = the last 30 days:

    h1: 3 (60 d ago) → 9 (10 d)           promoter   ✓ counted
    h2: 5 (40 d)    → 7 (5 d)             passive    ✓
    h3: 2 (50 d)    → 4 (3 d)             detractor  ✓
    h4: 6 (20 d)    → 10 (15 d) → 5 (2 d) detractor  ✓ (latest answer counts)
    h5: 9 (50 d)    → 3 (5 d)             not counted: no earlier detractor answer
    h6: 1 (40 d), no answer since          not counted: did not answer again
    h7: 4 (5 d) → 8 (2 d), but 8 is excluded by quality checks: not counted
    anonymous 2 (5 d)                      uncallable, counted apart
    → 4 households, 2 converted: 50 %, Wilson 95 % interval [0.150, 0.850].
    """
    from tests.surveys.test_quality import households

    homes = households(world, 7)

    def answer(home, score, days, excluded=False):
        response = make_response(
            survey,
            world.project_a,
            household=home,
            recommend=score,
            at=NOW - dt.timedelta(days=days),
        )
        if excluded:
            response.excluded = True
            response.save()

    for home, history in zip(
        homes,
        [
            [(3, 60), (9, 10)],
            [(5, 40), (7, 5)],
            [(2, 50), (4, 3)],
            [(6, 20), (10, 15), (5, 2)],
            [(9, 50), (3, 5)],
            [(1, 40)],
            [(4, 5)],
        ],
        strict=True,
    ):
        for score, days in history:
            answer(home, score, days)
    answer(homes[6], 8, 2, excluded=True)
    make_response(
        survey, world.project_a, recommend=2, anonymous=True, at=NOW - dt.timedelta(days=5)
    )

    result = detractor_conversion(
        user=world.hq, org=world.company, since=NOW - dt.timedelta(days=30), until=NOW
    )
    assert (result.households, result.promoters, result.passives, result.detractors) == (
        4,
        1,
        1,
        2,
    )
    assert result.converted == 2 and result.uncallable == 1
    assert result.rate.rate == 0.5
    assert round(result.rate.ci_low, 3) == 0.150 and round(result.rate.ci_high, 3) == 0.850
    # scoped: the customer service of project B sees none of it
    assert detractor_conversion(user=world.staff, since=NOW - dt.timedelta(days=30)).households == 0
    assert detractor_conversion(user=world.hq, org=world.project_b).rate is None


# --- the page and the endpoints ---------------------------------------------------------


def test_callback_page_sorted_with_overdue_marked(wo, survey):
    first = detractor_task(wo, survey)
    second = detractor_task(wo, survey)
    CallbackTask.objects.filter(pk=first.pk).update(due_at=NOW - dt.timedelta(hours=2))
    client = wo.client_for(wo.cs_a)
    page = client.get("/surveys/callbacks/")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.index(str(first.public_id)) < body.index(str(second.public_id))
    row = body[body.index(f'data-task="{first.public_id}"') - 40 :]
    assert 'class="row-bad"' in row[:60]
    assert 'data-stat="overdue">1<' in body and 'data-stat="open">2<' in body
    assert "13812341234" in body  # customer service calls the owner: full number
    hq = wo.client_for(wo.hq).get("/surveys/callbacks/").content.decode()
    assert "138****1234" in hq and "13812341234" not in hq
    assert "outcome-form" not in hq  # HQ watches, does not record


def test_callback_page_outcome_opens_a_work_order(wo, survey):
    task = detractor_task(wo, survey)
    client = wo.client_for(wo.cs_a)
    answer = client.post(
        f"/surveys/callbacks/{task.public_id}/record/",
        {
            "outcome": "reached",
            "issue_found": "楼道灯坏了",
            "recovered": "true",
            "create_workorder": "on",
            "category": str(wo.categories["repair-leak"].public_id),
        },
    )
    assert answer.status_code == 302
    task.refresh_from_db()
    assert task.recovered is True and task.workorder.unit == wo.unit_x
    done = client.get("/surveys/callbacks/?status=done").content.decode()
    assert task.workorder.number in done


def test_callback_page_shows_the_conversion(world, survey):
    from tests.surveys.test_quality import households

    home = households(world, 1)[0]
    for score, days in ((2, 40), (9, 5)):
        make_response(
            survey,
            world.project_a,
            household=home,
            recommend=score,
            at=NOW - dt.timedelta(days=days),
        )
    body = world.client_for(world.manager).get("/surveys/callbacks/?days=30").content.decode()
    assert 'data-stat="conversion">100%<' in body


def test_callback_page_permissions(wo, survey):
    task = detractor_task(wo, survey)
    url = f"/surveys/callbacks/{task.public_id}/record/"
    data = {"outcome": "reached"}
    assert wo.client_for(wo.owner).get("/surveys/callbacks/").status_code == 403
    assert wo.client_for(wo.frontline).get("/surveys/callbacks/").status_code == 403
    assert wo.client_for(wo.owner).post(url, data).status_code == 403
    assert wo.client_for(wo.hq).post(url, data).status_code == 403  # may view, not record
    other = wo.client_for(wo.staff)  # customer service of project B
    assert str(task.public_id) not in other.get("/surveys/callbacks/").content.decode()
    assert other.post(url, data).status_code == 404
    assert wo.client_for(wo.outsider).get("/surveys/callbacks/").status_code == 200
    task.refresh_from_db()
    assert task.done_at is None


def test_callback_endpoints(wo, survey, api_as):
    task = detractor_task(wo, survey)
    cs = api_as("cs_a")
    listed = cs.get("/survey-callbacks")
    assert listed.status_code == 200, listed.content
    (item,) = listed.json()["items"]
    assert item["id"] == str(task.public_id) and item["reason"] == "detractor"
    assert item["unit"] == wo.unit_x.label and item["contact_phone"] == "13812341234"
    assert api_as("hq").get("/survey-callbacks").json()["items"][0]["contact_phone"] == (
        "138****1234"
    )
    assert api_as("staff").get("/survey-callbacks").json()["items"] == []
    url = f"/survey-callbacks/{task.public_id}/outcome"
    assert api_as("staff").post(url, {"outcome": "reached"}).status_code == 404
    assert api_as("owner").get("/survey-callbacks").status_code == 403
    assert api_as("owner").post(url, {"outcome": "reached"}).status_code == 403
    assert api_as("hq").post(url, {"outcome": "reached"}).status_code == 403
    answer = cs.post(
        url,
        {
            "outcome": "reached",
            "issue_found": "电梯异响",
            "create_workorder": True,
            "category": str(wo.categories["repair-leak"].public_id),
            "recovered": True,
        },
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["workorder"] == WorkOrder.objects.get().number and body["recovered"] is True
    assert cs.post(url, {"outcome": "reached"}).status_code == 409
    assert cs.get("/survey-callbacks", status="done").json()["count"] == 1
    conversion = cs.get("/survey-callbacks/conversion", days=30)
    assert conversion.status_code == 200 and conversion.json()["rate"] is None
