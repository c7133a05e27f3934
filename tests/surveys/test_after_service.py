"""After-service (MOT) surveys: a closed work order of a listed category invites its
household (with the owner's consent), once; the answer carries the order, post and
handler."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from ganzhi.notifications.models import Notification
from ganzhi.owners.models import Owner
from ganzhi.surveys.hooks import AFTER_SERVICE_DAYS, on_workorder_closed
from ganzhi.surveys.models import Invitation, Question, Questionnaire, Response
from ganzhi.surveys.tokens import token_for
from ganzhi.workorders import services as workorders
from ganzhi.workorders.models import WorkOrder


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mot(wo):
    """A published after-service survey for leak repairs: a 1–5 rating and 0–10."""
    questionnaire = Questionnaire.objects.create(
        company=wo.company,
        name="维修服务回访",
        kind=Questionnaire.Kind.TRANSACTIONAL,
        status=Questionnaire.Status.PUBLISHED,
    )
    questionnaire.workorder_categories.set([wo.categories["repair-leak"]])
    Question.objects.bulk_create(
        [
            Question(
                questionnaire=questionnaire,
                code="fix",
                type=Question.Type.RATING,
                text="您对这次维修满意吗？",
                sort_order=1,
            ),
            Question(
                questionnaire=questionnaire,
                code="recommend",
                type=Question.Type.RECOMMEND,
                text="您有多大可能向亲友推荐我们？",
                scale_min=0,
                scale_max=10,
                sort_order=2,
            ),
        ]
    )
    return questionnaire


def closed_order(wo, category="repair-leak"):
    order = workorders.workorder_create(
        actor=wo.cs_a,
        project=wo.project_a,
        category=wo.categories[category],
        title="卫生间漏水",
        channel="phone",
        unit=wo.unit_x,
    )
    workorders.workorder_transition(actor=wo.fixer, order=order, to="accepted")
    workorders.workorder_transition(actor=wo.fixer, order=order, to="resolved")
    workorders.workorder_transition(actor=wo.cs_a, order=order, to="closed")
    return WorkOrder.objects.get(pk=order.pk)


def test_closing_an_order_invites_the_household(wo, mot, django_capture_on_commit_callbacks):
    order = closed_order(wo)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        on_workorder_closed(order)
    invitation = Invitation.objects.get()
    assert invitation.workorder == order and invitation.questionnaire == mot
    assert invitation.household == wo.household_x and invitation.project == wo.project_a
    assert invitation.campaign is None and invitation.sent_at is not None
    days = dt.timedelta(days=AFTER_SERVICE_DAYS)
    assert before + days <= invitation.expires_at <= timezone.now() + days
    note = Notification.objects.get(recipient=wo.owner, event="survey_after_service")
    assert note.link == f"/s/{token_for(invitation)}/" and order.number in note.title

    # called again (the order reopened and closed again): no second survey
    on_workorder_closed(order)
    assert Invitation.objects.count() == 1


def test_the_answer_scores_the_order_its_post_and_handler(client, wo, mot):
    order = closed_order(wo)
    on_workorder_closed(order)
    url = f"/s/{token_for(Invitation.objects.get())}/"
    html = client.get(url).content.decode()
    assert order.number in html and "卫生间漏水" in html
    response = client.post(url, {"fix": "5", "recommend": "10"})
    assert response.status_code == 302
    answer = Response.objects.get()
    assert answer.workorder == order and answer.submitted_at is not None
    assert answer.post == order.post and answer.post.code == "engineering"
    assert answer.staff == order.assignee and answer.staff.user == wo.fixer
    assert answer.household == wo.household_x and answer.campaign is None


def test_no_survey_without_consent_a_listed_category_or_a_household(wo, mot):
    Owner.objects.filter(pk=wo.owner_x.pk).update(consent_survey=False)
    on_workorder_closed(closed_order(wo))
    assert not Invitation.objects.exists()  # the owner declined surveys

    Owner.objects.filter(pk=wo.owner_x.pk).update(consent_survey=True)
    on_workorder_closed(closed_order(wo, category="repair-water"))
    assert not Invitation.objects.exists()  # the category has no after-service survey

    order = closed_order(wo)
    WorkOrder.objects.filter(pk=order.pk).update(household=None, unit=None)
    on_workorder_closed(WorkOrder.objects.get(pk=order.pk))
    assert not Invitation.objects.exists()  # a public-area order: nobody to ask

    open_order = workorders.workorder_create(
        actor=wo.cs_a,
        project=wo.project_a,
        category=wo.categories["repair-leak"],
        title="还在漏",
        channel="phone",
        unit=wo.unit_x,
    )
    on_workorder_closed(open_order)
    assert not Invitation.objects.exists()  # not closed

    Questionnaire.objects.filter(pk=mot.pk).update(status=Questionnaire.Status.ARCHIVED)
    on_workorder_closed(closed_order(wo))
    assert not Invitation.objects.exists()  # no published survey


def test_the_hook_never_breaks_closing(wo, mot, monkeypatch):
    def broken(order, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("ganzhi.surveys.hooks.after_service_invite", broken)
    on_workorder_closed(closed_order(wo))  # logged, not raised
