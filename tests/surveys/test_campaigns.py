"""Survey waves: the sampling plan (checked against hand-computed textbook values),
validation and scope, progress, post-stratification weights, invitations, reminders and
the staff pages. The helpers at the top are shared by the other survey test modules."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from ganzhi.core.errors import DomainError
from ganzhi.notifications.models import Notification
from ganzhi.org.models import Building, Unit
from ganzhi.owners.models import Household, Owner
from ganzhi.surveys import campaigns as services
from ganzhi.surveys.models import Campaign, Invitation, Question, Questionnaire, Response
from ganzhi.surveys.tasks import survey_sweep

START = dt.date(2026, 3, 1)


END = dt.date(2026, 3, 31)


# --- shared helpers --------------------------------------------------------------------


def make_questionnaire(
    company,
    *,
    kind=Questionnaire.Kind.RELATIONSHIP,
    status=Questionnaire.Status.PUBLISHED,
    allow_anonymous=False,
    name="2026年业主满意度调查",
):
    """Ten items: six 1–5 ratings, overall (1–5), likelihood to recommend (0–10), a
    required "why" shown only to detractors (0–6), and renew (single choice)."""
    questionnaire = Questionnaire.objects.create(
        company=company, name=name, kind=kind, status=status, allow_anonymous=allow_anonymous
    )
    items = [
        Question(
            questionnaire=questionnaire,
            code=f"q{i}",
            type=Question.Type.RATING,
            text=f"您对第{i}项服务满意吗？",
            scale_min=1,
            scale_max=5,
            sort_order=i,
        )
        for i in range(1, 7)
    ]
    items += [
        Question(
            questionnaire=questionnaire,
            code="overall",
            type=Question.Type.RATING,
            role=Question.Role.OVERALL,
            text="总体来说，您对物业服务满意吗？",
            scale_min=1,
            scale_max=5,
            sort_order=7,
        ),
        Question(
            questionnaire=questionnaire,
            code="recommend",
            type=Question.Type.RECOMMEND,
            role=Question.Role.RECOMMEND,
            text="您有多大可能向亲友推荐我们的物业服务？",
            scale_min=0,
            scale_max=10,
            sort_order=8,
        ),
        Question(
            questionnaire=questionnaire,
            code="recommend-why",
            type=Question.Type.TEXT,
            text="请告诉我们哪里做得不好",
            required=True,
            show_if={"question": "recommend", "op": "lte", "value": 6},
            sort_order=9,
        ),
        Question(
            questionnaire=questionnaire,
            code="renew",
            type=Question.Type.SINGLE,
            role=Question.Role.RENEW,
            text="合同到期后，您愿意继续选择我们吗？",
            options=[
                {"value": "yes", "label": "愿意"},
                {"value": "no", "label": "不愿意"},
                {"value": "unsure", "label": "说不准"},
            ],
            sort_order=10,
        ),
    ]
    Question.objects.bulk_create(items)
    return questionnaire


def full_answers(recommend=9, why=None, **overrides):
    answers = {f"q{i}": score for i, score in enumerate([5, 4, 4, 3, 5, 4], start=1)}
    answers.update({"overall": 4, "recommend": recommend, "renew": "yes"})
    if why is not None:
        answers["recommend-why"] = why
    answers.update(overrides)
    return answers


def add_building(project, name, households):
    """A building with ``households`` occupied units and a current household in each."""
    building = Building.objects.create(company_id=project.company_id, project=project, name=name)
    units = Unit.objects.bulk_create(
        [
            Unit(
                company_id=project.company_id,
                project=project,
                building=building,
                entrance="1",
                number=f"{i + 1:04d}",
                status=Unit.Status.OCCUPIED,
            )
            for i in range(households)
        ]
    )
    Household.objects.bulk_create(
        [Household(company_id=project.company_id, project=project, unit=unit) for unit in units]
    )
    return building


def wave(world, projects=None, *, actor=None, questionnaire=None, **kwargs):
    questionnaire = questionnaire or make_questionnaire(world.company)
    return services.campaign_create(
        actor=actor or world.hq,
        questionnaire=questionnaire,
        name=kwargs.pop("name", "2026年春季满意度调查"),
        starts_on=kwargs.pop("starts_on", START),
        ends_on=kwargs.pop("ends_on", END),
        projects=projects or [world.project_a],
        **kwargs,
    )


def submitted(campaign, building, *, excluded=False):
    """A submitted response in ``building`` (made directly: weights do not need answers)."""
    return Response.objects.create(
        company_id=campaign.company_id,
        questionnaire=campaign.questionnaire,
        campaign=campaign,
        project_id=building.project_id,
        building=building,
        started_at=timezone.now(),
        submitted_at=timezone.now(),
        excluded=excluded,
    )


# --- the sampling plan ---------------------------------------------------------------


def test_targets_are_the_textbook_sample_sizes(world):
    """n0 = z²·p(1−p)/e², n = n0 / (1 + (n0 − 1)/N), rounded up (Cochran 1977, 4.1–4.2).
    z(95 %) = 1.959964 → n0 = 1.959964² × 0.25 / 0.05² = 384.146.
    N = 1000: 384.146 / (1 + 383.146/1000) = 384.146 / 1.383146 = 277.73 → 278
              (Krejcie & Morgan's table gives 278 as well);
    N = 100:  384.146 / 4.83146 = 79.51 → 80;   N = 400: 384.146 / 1.957865 = 196.21 → 197.
    """
    big = add_building(world.project_c, "9栋", 1000)
    campaign = wave(world, [world.project_c], by_building=False)
    (stratum,) = campaign.strata.all()
    assert (stratum.population, stratum.target, stratum.building) == (1000, 278, None)

    small = add_building(world.project_c, "10栋", 100)
    middle = add_building(world.project_c, "11栋", 400)
    campaign = wave(world, [world.project_c])
    targets = {s.building_id: (s.population, s.target) for s in campaign.strata.all()}
    assert targets == {big.id: (1000, 278), small.id: (100, 80), middle.id: (400, 197)}


def test_targets_at_other_margins_and_confidence(world):
    """e = 10 % at 90 %: z = 1.644854, n0 = 1.644854² × 0.25 / 0.01 = 67.639;
    N = 500: 67.639 / (1 + 66.639/500) = 67.639 / 1.133278 = 59.68 → 60.
    A stratum of 2 households at ±5 %: 384.146 / (1 + 383.146/2) = 1.995 → 2 (a census)."""
    add_building(world.project_c, "9栋", 500)
    campaign = wave(world, [world.project_c], margin_of_error=0.1, confidence=0.9)
    assert [s.target for s in campaign.strata.all()] == [60]
    campaign = wave(world, [world.project_a])  # building_a: households X and Y
    assert [(s.population, s.target) for s in campaign.strata.all()] == [(2, 2)]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_on": START - dt.timedelta(days=1)}, "ends_on"),
        ({"projects": []}, "projects"),
        ({"margin_of_error": 0.005}, "margin_of_error"),
        ({"margin_of_error": 0.25}, "margin_of_error"),
        ({"margin_of_error": "abc"}, "margin_of_error"),
        ({"confidence": 1}, "confidence"),
        ({"name": "  "}, "name"),
    ],
)
def test_invalid_plans_are_refused_with_the_field(world, change, field):
    questionnaire = make_questionnaire(world.company)
    arguments = {
        "actor": world.hq,
        "questionnaire": questionnaire,
        "name": "春季调查",
        "starts_on": START,
        "ends_on": END,
        "projects": [world.project_a],
        **change,
    }
    with pytest.raises(DomainError) as caught:
        services.campaign_create(**arguments)
    assert caught.value.code == "invalid" and field in caught.value.details
    assert not Campaign.objects.exists()


def test_the_questionnaire_must_be_published_relationship_and_ours(world):
    cases = [
        make_questionnaire(world.company, status=Questionnaire.Status.DRAFT),
        make_questionnaire(world.other_company),
        make_questionnaire(world.company, kind=Questionnaire.Kind.TRANSACTIONAL),
    ]
    for questionnaire in cases:
        with pytest.raises(DomainError) as caught:
            wave(world, questionnaire=questionnaire)
        assert "questionnaire" in caught.value.details
    assert not Campaign.objects.exists()


def test_a_project_without_households_is_refused(world):
    with pytest.raises(DomainError) as caught:
        wave(world, [world.project_a, world.project_c])  # C has no households
    assert "projects" in caught.value.details


def test_plans_only_inside_the_actors_scope(world):
    with pytest.raises(DomainError) as caught:  # manager of A, project B
        wave(world, [world.project_b], actor=world.manager)
    assert caught.value.status == 404
    for actor in (world.owner, world.staff, world.region):  # no right to run waves
        with pytest.raises(DomainError) as caught:
            wave(world, [world.project_a], actor=actor)
        assert caught.value.status == 403
    with pytest.raises(DomainError) as caught:
        wave(world, [world.project_z], actor=world.hq)  # another company's project
    assert caught.value.status == 404
    campaign = wave(world, [world.project_a], actor=world.manager)
    assert campaign.status == Campaign.Status.DRAFT and campaign.company == world.company


# --- progress and weights ------------------------------------------------------------


def test_progress_counts_submitted_answers_that_are_not_excluded(world):
    north = add_building(world.project_c, "北楼", 60)
    south = add_building(world.project_c, "南楼", 40)
    campaign = wave(world, [world.project_c])
    for _ in range(3):
        submitted(campaign, north)
    submitted(campaign, south)
    submitted(campaign, south, excluded=True)
    Response.objects.create(  # a draft does not count
        company_id=campaign.company_id,
        questionnaire=campaign.questionnaire,
        campaign=campaign,
        project=world.project_c,
        building=south,
        started_at=timezone.now(),
    )
    progress = services.campaign_progress(campaign)
    rows = {row.stratum.building_id: row for row in progress.strata}
    # targets: N = 60 → 384.146 / (1 + 383.146/60) = 52.01 → 53; N = 40 → 36.31 → 37
    assert (rows[north.id].target, rows[north.id].responses) == (53, 3)
    assert (rows[south.id].target, rows[south.id].responses) == (37, 1)
    assert rows[north.id].share == pytest.approx(3 / 53)
    assert (progress.population, progress.target, progress.responses) == (100, 90, 4)
    assert rows[north.id].margin is not None and rows[north.id].weight is None


def test_weights_lift_an_under_represented_building(world):
    """N = 60 + 40 = 100, n = 3 + 1 = 4: w_north = (60/100)/(3/4) = 0.8,
    w_south = (40/100)/(1/4) = 1.6 — the south building is under-represented."""
    north = add_building(world.project_c, "北楼", 60)
    south = add_building(world.project_c, "南楼", 40)
    campaign = wave(world, [world.project_c])
    north_answers = [submitted(campaign, north) for _ in range(3)]
    south_answer = submitted(campaign, south)
    flagged = submitted(campaign, south, excluded=True)
    result = services.campaign_close(actor=world.hq, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED
    assert result.weighted == 4 and result.pooled_projects == [] and result.unmatched == 0
    for response in north_answers:
        response.refresh_from_db()
        assert response.weight == pytest.approx(0.8)
    south_answer.refresh_from_db()
    flagged.refresh_from_db()
    assert south_answer.weight == pytest.approx(1.6)
    assert flagged.weight == 1.0  # excluded: not weighted
    rows = {r.stratum.building_id: r for r in services.campaign_progress(campaign).strata}
    assert rows[south.id].weight == pytest.approx(1.6)

    # recomputable: restoring the flagged answer gives south n = 2 → (0.4)/(2/5) = 1.0,
    # north (0.6)/(3/5) = 1.0
    Response.objects.filter(pk=flagged.pk).update(excluded=False)
    services.campaign_weights_apply(campaign)
    assert list(Response.objects.values_list("weight", flat=True)) == pytest.approx([1.0] * 5)


def test_a_building_without_answers_is_pooled_with_its_project(world):
    """North 60, south 40, east 20 households; answers 2, 2, 0 → east cannot be weighted,
    project C becomes one cell: every weight (120/120)/(4/4) = 1. Project A (2 households,
    1 answer) stays its own cell: N = 122, n = 5 → w_C = (120/122)/(4/5) = 1.2295,
    w_A = (2/122)/(1/5) = 0.0820."""
    north = add_building(world.project_c, "北楼", 60)
    south = add_building(world.project_c, "南楼", 40)
    add_building(world.project_c, "东楼", 20)
    campaign = wave(world, [world.project_a, world.project_c])
    for building in (north, north, south, south, world.building_a):
        submitted(campaign, building)
    result = services.campaign_weights_apply(campaign)
    assert result.pooled_projects == ["南湾一号"] and result.dropped_projects == []
    weights = sorted(round(w, 4) for w in Response.objects.values_list("weight", flat=True))
    assert weights == [0.082, 1.2295, 1.2295, 1.2295, 1.2295]


# --- invitations -----------------------------------------------------------------------


def test_invitations_sample_the_target_times_the_factor_and_never_twice(world):
    """N = 100 at ±5 %: target 80. Factor 1 → 80 invited; again → none; everyone → +20."""
    building = add_building(world.project_c, "9栋", 100)
    campaign = wave(world, [world.project_c])
    first = services.invitations_issue(actor=world.hq, campaign=campaign, oversampling=1)
    assert (first.created, first.already) == (80, 0)
    again = services.invitations_issue(actor=world.hq, campaign=campaign, oversampling=1)
    assert (again.created, again.already) == (0, 80)
    everyone = services.invitations_issue(actor=world.hq, campaign=campaign, everyone=True)
    assert everyone.created == 20
    invitations = Invitation.objects.filter(campaign=campaign)
    assert invitations.count() == 100
    assert invitations.values("household").distinct().count() == 100
    invitation = invitations.first()
    assert invitation.project == world.project_c and invitation.stratum.building == building
    assert invitation.questionnaire == campaign.questionnaire
    assert dt.timedelta(days=29) < invitation.expires_at - timezone.now() <= dt.timedelta(days=30)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN


def test_invitations_respect_consent_and_the_default_factor(world):
    Owner.objects.filter(pk=world.owner_y.pk).update(consent_survey=False)
    campaign = wave(world, [world.project_a])  # target 2, factor 2.5 → everyone (2)
    result = services.invitations_issue(actor=world.hq, campaign=campaign)
    assert result.created == 1  # Y declined surveys
    assert Invitation.objects.get().household == world.household_x


def test_invitations_stay_in_scope(world):
    campaign = wave(world, [world.project_a, world.project_b])
    result = services.invitations_issue(actor=world.manager, campaign=campaign)
    assert result.created == 2  # A's two households, not B's
    assert set(Invitation.objects.values_list("project", flat=True)) == {world.project_a.id}
    stratum_b = campaign.strata.get(project=world.project_b)
    with pytest.raises(DomainError) as caught:
        services.invitations_issue(actor=world.manager, campaign=campaign, stratum=stratum_b)
    assert caught.value.status == 404
    with pytest.raises(DomainError) as caught:
        services.invitations_issue(actor=world.staff, campaign=campaign)  # no right
    assert caught.value.status == 403
    with pytest.raises(DomainError) as caught:
        services.invitations_issue(actor=world.hq, campaign=campaign, expires_in_days=0)
    assert "expires_in_days" in caught.value.details
    services.campaign_close(actor=world.hq, campaign=campaign)
    with pytest.raises(DomainError) as caught:
        services.invitations_issue(actor=world.hq, campaign=campaign)
    assert caught.value.code == "closed"


# --- reminders ---------------------------------------------------------------------------


def test_reminders_once_every_three_days_to_those_who_have_not_answered(
    world, django_capture_on_commit_callbacks
):
    campaign = wave(world, [world.project_a])
    services.invitations_issue(actor=world.hq, campaign=campaign)
    answered = Invitation.objects.get(household=world.household_x)
    with django_capture_on_commit_callbacks(execute=True):
        reminded = services.invitations_remind(campaign)
    assert reminded == 2
    note = Notification.objects.get(recipient=world.owner)  # X's owner has a login
    assert note.event == "survey_reminder" and note.link.startswith("/s/")
    assert note.link in note.body
    assert set(Invitation.objects.values_list("reminder_count", flat=True)) == {1}

    assert services.invitations_remind(campaign) == 0  # not again within 3 days
    Invitation.objects.filter(pk=answered.pk).update(completed_at=timezone.now())
    with time_machine.travel(timezone.now() + dt.timedelta(days=3, minutes=1)):
        assert services.invitations_remind(campaign) == 1  # only Y: X has answered
    with time_machine.travel(timezone.now() + dt.timedelta(days=6, minutes=2)):
        assert services.invitations_remind(campaign) == 1
    with time_machine.travel(timezone.now() + dt.timedelta(days=9, minutes=3)):
        assert services.invitations_remind(campaign) == 0  # three reminders at most
    y = Invitation.objects.exclude(pk=answered.pk).get()
    assert y.reminder_count == 3


def test_reminders_skip_owners_who_declined(world):
    Owner.objects.filter(pk=world.owner_x.pk).update(consent_survey=False)
    campaign = wave(world, [world.project_a])
    services.invitations_issue(actor=world.hq, campaign=campaign, everyone=True)
    assert Invitation.objects.count() == 1  # X's household is not even invited
    assert services.invitations_remind(campaign) == 1
    assert services.invitations_remind(Campaign.objects.get(pk=campaign.pk), actor=world.hq) == 0
    with pytest.raises(DomainError):
        services.invitations_remind(campaign, actor=world.staff)


def test_the_sweep_closes_ended_waves_and_reminds_in_the_daytime(world):
    campaign = wave(world, [world.project_a], starts_on=dt.date(2026, 3, 1))
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        services.invitations_issue(actor=world.hq, campaign=campaign)
    # 3 days later at 23:00 Shanghai: too late in the day
    with time_machine.travel(dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC), tick=False):
        assert survey_sweep() == {"closed": 0, "reminded": 0}
    # the next morning, 10:00 Shanghai
    with time_machine.travel(dt.datetime(2026, 3, 6, 2, 0, tzinfo=dt.UTC), tick=False):
        assert survey_sweep() == {"closed": 0, "reminded": 2}
    with time_machine.travel(dt.datetime(2026, 4, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        assert survey_sweep() == {"closed": 1, "reminded": 0}
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED


# --- staff pages -------------------------------------------------------------------------


def url(campaign, action=""):
    return f"/surveys/campaigns/{campaign.public_id}/{action}"


def test_staff_pages_are_scoped(world):
    a_only = wave(world, [world.project_a], name="A的调查")
    b_only = wave(world, [world.project_b], name="B的调查")
    both = wave(world, [world.project_a, world.project_b], name="联合调查")
    manager = world.client_for(world.manager)
    html = manager.get("/surveys/campaigns/").content.decode()
    assert "A的调查" in html and "联合调查" in html and "B的调查" not in html
    assert manager.get(url(a_only)).status_code == 200
    assert manager.get(url(b_only)).status_code == 404
    assert manager.get(url(b_only, "progress/")).status_code == 404
    assert manager.get(url(b_only, "export/")).status_code == 404
    # a wave over A and B: the manager sees A's stratum only
    page = manager.get(url(both))
    assert page.status_code == 200
    assert page.content.decode().count('data-stratum="') == 1
    owner = world.client_for(world.owner)
    assert owner.get("/surveys/campaigns/").status_code == 403
    assert owner.get(url(a_only)).status_code == 403
    outsider = world.client_for(world.outsider)
    assert outsider.get(url(a_only)).status_code == 404
    anonymous = world.client_for(None)
    assert anonymous.get(url(a_only)).status_code == 302


def test_list_and_detail_pages_take_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    hq = world.client_for(world.hq)
    first = wave(world, [world.project_a, world.project_b], name="第1批")
    services.invitations_issue(actor=world.hq, campaign=first)
    with django_assert_max_num_queries(12) as few:
        assert hq.get("/surveys/campaigns/").status_code == 200
    for number in range(2, 8):
        wave(world, [world.project_a, world.project_b], name=f"第{number}批")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert hq.get("/surveys/campaigns/").status_code == 200
    with django_assert_max_num_queries(20):
        assert hq.get(url(first)).status_code == 200


def test_create_issue_and_watch_progress_through_the_pages(world):
    make_questionnaire(world.company)
    questionnaire = Questionnaire.objects.get()
    hq = world.client_for(world.hq)
    assert hq.get("/surveys/campaigns/new/").status_code == 200
    response = hq.post(
        "/surveys/campaigns/new/",
        {
            "name": "春季调查",
            "questionnaire": questionnaire.public_id,
            "projects": [world.project_a.public_id, world.project_b.public_id],
            "starts_on": "2026-03-01",
            "ends_on": "2026-02-01",
            "margin_percent": "5",
            "confidence": "0.95",
            "by_building": "on",
        },
    )
    assert response.status_code == 200 and not Campaign.objects.exists()  # end before start
    assert "ends_on" in response.context["form"].errors
    response = hq.post(
        "/surveys/campaigns/new/",
        {
            "name": "春季调查",
            "questionnaire": questionnaire.public_id,
            "projects": [world.project_a.public_id, world.project_b.public_id],
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-31",
            "margin_percent": "5",
            "confidence": "0.95",
            "by_building": "on",
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response.url == url(campaign)
    assert campaign.strata.count() == 2
    assert float(campaign.margin_of_error) == 0.05

    response = hq.post(url(campaign, "issue/"), {"expires_in_days": 14, "oversampling": "2.5"})
    assert response.status_code == 302
    assert Invitation.objects.filter(campaign=campaign).count() == 3
    progress = hq.get(url(campaign, "progress/"), HTTP_HX_REQUEST="true")
    assert progress.status_code == 200
    html = progress.content.decode()
    assert 'hx-trigger="every 5s"' in html and "<progress" in html
    assert progress.context["progress"].invited == 3

    response = hq.post(url(campaign, "remind/"))
    assert response.status_code == 302
    assert Invitation.objects.filter(reminder_count=1).count() == 3
    response = hq.post(url(campaign, "close/"))
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED
    assert 'hx-trigger="every' not in hq.get(url(campaign)).content.decode()  # no polling
    # a manager cannot close a wave that spans a project outside their scope
    other = wave(world, [world.project_a, world.project_b], name="联合")
    world.client_for(world.manager).post(url(other, "close/"))
    other.refresh_from_db()
    assert other.status == Campaign.Status.DRAFT


def test_exports_mask_phones_unless_the_user_may_see_them(world):
    campaign = wave(world, [world.project_a])
    services.invitations_issue(actor=world.hq, campaign=campaign)
    hq = world.client_for(world.hq)  # HQ may not see phone numbers
    response = hq.get(url(campaign, "export/"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    body = {row[1]: row for row in rows[1:]}
    assert body["1栋1单元1201"][2] == "张伟"
    assert body["1栋1单元1201"][3] == "138****1234"
    assert "/s/" in body["1栋1单元1201"][5] and body["1栋1单元1201"][5].startswith("http")

    manager = world.client_for(world.manager)  # project managers call owners
    response = manager.get(url(campaign, "export/") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][3] in ("13812341234", "13912345678") and "****" not in values[1][3]
    links = {row[5] for row in values[1:]}
    assert len(links) == 2

    assert world.client_for(world.region).get(url(campaign, "export/")).status_code == 403


def test_qr_cards_per_building(world):
    campaign = wave(world, [world.project_a])
    services.invitations_issue(actor=world.hq, campaign=campaign)
    manager = world.client_for(world.manager)
    listing = manager.get(url(campaign, "qr/"))
    assert listing.status_code == 200
    assert f"?building={world.building_a.public_id}" in listing.content.decode()
    sheet = manager.get(url(campaign, "qr/") + f"?building={world.building_a.public_id}")
    html = sheet.content.decode()
    assert sheet.status_code == 200
    assert html.count('class="qr-card') == 2 and html.count("<svg") == 2
    assert "1栋1单元1201" in html and "cdn" not in html.lower()
    other = manager.get(url(campaign, "qr/") + f"?building={world.building_b.public_id}")
    assert other.status_code == 404
