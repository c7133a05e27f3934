"""Response quality: each flag fires on answers built to trigger it and not on normal ones;
the quality lead's review is audited and decides whether a response counts."""

import datetime as dt

import pytest
from django.utils import timezone

from ganzhi.core.roles import Role
from ganzhi.surveys import quality
from ganzhi.surveys.models import Answer, QualityReview, Question, Questionnaire, Response
from ganzhi.surveys.quality import (
    DUPLICATE_DEVICE,
    SPEEDER,
    STAFF_ACCOUNT,
    STAFF_PHONE,
    STRAIGHT_LINER,
    address_hash,
    flag_response,
    flag_responses,
    identity_hash,
    response_review,
)
from tests.conftest import make_owner, make_unit, make_user

NOW = timezone.now().replace(microsecond=0)
RATINGS = [f"r{i}" for i in range(1, 7)]
VARIED = [5, 4, 4, 3, 5, 4]


# --- builders shared by the survey-quality, call-back and import tests --------------------


def make_questionnaire(company, *, name="2026 年度满意度调查", items=RATINGS) -> Questionnaire:
    """Recommend (0–10), six 1–5 ratings, one open question."""
    questionnaire = Questionnaire.objects.create(
        company=company, name=name, kind=Questionnaire.Kind.RELATIONSHIP, status="published"
    )
    texts = {
        "r1": "您对小区保洁的整体满意度",
        "r2": "您对秩序维护（保安）服务的满意度",
        "r3": "您对绿化养护的满意度",
        "r4": "您对工程维修及时性的满意度",
        "r5": "您对客服人员服务态度的满意度",
        "r6": "您对公共设施设备维护的满意度",
    }
    Question.objects.create(
        questionnaire=questionnaire,
        code="nps",
        type=Question.Type.RECOMMEND,
        role=Question.Role.RECOMMEND,
        text="您向亲友推荐我们物业的可能性有多大？",
        scale_min=0,
        scale_max=10,
        sort_order=0,
    )
    for order, code in enumerate(items, start=1):
        Question.objects.create(
            questionnaire=questionnaire,
            code=code,
            type=Question.Type.RATING,
            text=texts.get(code, code),
            sort_order=order,
        )
    Question.objects.create(
        questionnaire=questionnaire,
        code="comment",
        type=Question.Type.TEXT,
        text="您对我们还有哪些意见和建议？",
        required=False,
        sort_order=99,
    )
    return questionnaire


def make_response(
    questionnaire,
    project,
    *,
    household=None,
    scores=VARIED,
    recommend=9,
    duration=300,
    at=None,
    device="",
    address="",
    phone="",
    anonymous=False,
    flag=False,
) -> Response:
    at = at or NOW
    response = Response.objects.create(
        company_id=questionnaire.company_id,
        questionnaire=questionnaire,
        project=project,
        household=household,
        is_anonymous=anonymous,
        started_at=at - dt.timedelta(seconds=duration or 0),
        submitted_at=at,
        duration_seconds=duration,
        device_hash=device,
        address_hash=address,
        phone_hash=phone,
    )
    questions = {q.code: q for q in questionnaire.questions.all()}
    answers = []
    if recommend is not None:
        answers.append(Answer(response=response, question=questions["nps"], number=recommend))
    for code, score in zip(RATINGS, scores, strict=False):
        if score is not None and code in questions:
            answers.append(Answer(response=response, question=questions[code], number=score))
    Answer.objects.bulk_create(answers)
    if flag:
        flag_response(response)
    return response


def baseline(questionnaire, project, n=20, seconds=300):
    """``n`` ordinary responses an hour apart: the median duration becomes ``seconds``."""
    return [
        make_response(questionnaire, project, duration=seconds, at=NOW - dt.timedelta(hours=i + 1))
        for i in range(n)
    ]


@pytest.fixture
def survey(world):
    return make_questionnaire(world.company)


def codes(response):
    response.refresh_from_db()
    return [f["code"] for f in response.quality_flags]


# --- speeder ------------------------------------------------------------------------


def test_speeder_needs_a_baseline_then_fires_under_a_third_of_the_median(world, survey):
    fast = make_response(survey, world.project_a, duration=60)
    assert flag_response(fast) == []  # no baseline yet (fewer than 20 durations)
    baseline(survey, world.project_a, n=19)
    assert flag_response(fast) == [SPEEDER]  # 20 durations now, median 300 s
    fast.refresh_from_db()
    assert fast.excluded is True
    assert fast.quality_flags[0]["data"] == {"seconds": 60, "median": 300}
    assert fast.quality_flags[0]["reason"]
    normal = make_response(survey, world.project_a, duration=101)  # just over 300/3
    assert flag_response(normal) == []
    normal.refresh_from_db()
    assert normal.excluded is False and normal.quality_flags == []


def test_flagging_twice_changes_nothing(world, survey):
    baseline(survey, world.project_a)
    fast = make_response(survey, world.project_a, duration=30, scores=[4] * 6)
    first = flag_response(fast)
    fast.refresh_from_db()
    state = (fast.quality_flags, fast.excluded)
    assert flag_response(fast) == first == [SPEEDER, STRAIGHT_LINER]
    fast.refresh_from_db()
    assert (fast.quality_flags, fast.excluded) == state
    assert Response.objects.filter(excluded=True).count() == 1


# --- straight-lining ------------------------------------------------------------------


def test_straight_liner_needs_six_identical_items(world, survey):
    same = make_response(survey, world.project_a, scores=[5, 5, 5, 5, 5, 5])
    assert flag_response(same) == [STRAIGHT_LINER]
    assert same.quality_flags[0]["data"] == {"items": 6, "score": 5}
    varied = make_response(survey, world.project_a, scores=[5, 5, 5, 5, 5, 4])
    assert flag_response(varied) == []
    short = make_response(survey, world.project_a, scores=[3, 3, 3, 3, 3, None])
    assert flag_response(short) == []  # only five rated items


# --- duplicate devices and addresses ----------------------------------------------------


def households(world, n):
    """``n`` households in project A besides the persona's."""
    made = []
    for i in range(n):
        unit = make_unit(world.building_a, f"{20 + i}01")
        made.append(make_owner(unit, f"业主{i}", f"1370000{i:04d}")[1])
    return made


def test_one_device_for_three_households_within_a_day(world, survey):
    homes = households(world, 3)
    device = identity_hash("device-abc")
    first = make_response(survey, world.project_a, household=homes[0], device=device, flag=True)
    second = make_response(
        survey,
        world.project_a,
        household=homes[1],
        device=device,
        at=NOW + dt.timedelta(hours=3),
        flag=True,
    )
    assert codes(first) == codes(second) == []  # two households may share a phone
    third = make_response(
        survey,
        world.project_a,
        household=homes[2],
        device=device,
        at=NOW + dt.timedelta(hours=20),
    )
    assert flag_response(third) == [DUPLICATE_DEVICE]
    assert codes(first) == codes(second) == [DUPLICATE_DEVICE]  # the whole cluster
    assert Response.objects.filter(excluded=True).count() == 3
    assert third.quality_flags[0]["data"]["respondents"] == 3


def test_same_device_but_not_a_cluster(world, survey):
    homes = households(world, 3)
    device = identity_hash("device-abc")
    # the same household twice is one respondent
    make_response(survey, world.project_a, household=homes[0], device=device, flag=True)
    make_response(survey, world.project_a, household=homes[0], device=device, flag=True)
    # a third household, but more than 24 hours later
    make_response(
        survey,
        world.project_a,
        household=homes[1],
        device=device,
        at=NOW + dt.timedelta(hours=30),
        flag=True,
    )
    # another questionnaire does not count
    other = make_questionnaire(world.company, name="交付满意度")
    make_response(other, world.project_a, household=homes[2], device=device, flag=True)
    assert not Response.objects.filter(excluded=True).exists()


def test_one_network_address_for_five_respondents_within_an_hour(world, survey):
    ip = address_hash("36.112.3.4(北京-北京)")
    assert ip == address_hash("36.112.3.4") != address_hash("36.112.3.5")
    responses = [
        make_response(survey, world.project_a, address=ip, at=NOW + dt.timedelta(minutes=10 * i))
        for i in range(4)
    ]
    assert flag_responses(responses) == {r.pk: [] for r in responses}
    fifth = make_response(survey, world.project_a, address=ip, at=NOW + dt.timedelta(minutes=50))
    assert flag_response(fifth) == [DUPLICATE_DEVICE]
    assert fifth.quality_flags[0]["data"]["via"] == "address"
    assert Response.objects.filter(excluded=True).count() == 5


# --- staff phones and accounts ---------------------------------------------------------


def test_staff_phone_and_account(world, survey):
    make_user(world.company, "13800001111", Role.CUSTOMER_SERVICE, projects=[world.project_a])
    by_phone = make_response(survey, world.project_a, phone=identity_hash("138 0000 1111"))
    assert flag_response(by_phone) == [STAFF_PHONE]
    by_account = make_response(survey, world.project_a, phone=identity_hash("Manager"))
    assert flag_response(by_account) == [STAFF_ACCOUNT]
    assert by_account.quality_flags[0]["data"]["name"] == "manager"
    owner = make_response(survey, world.project_a, phone=identity_hash("13812341234"))
    assert flag_response(owner) == []
    # staff of another company are not this company's staff
    other_company = make_response(survey, world.project_a, phone=identity_hash("outsider"))
    assert flag_response(other_company) == []


def test_identity_hash_normalises():
    assert identity_hash("+86 138-1234-1234") == identity_hash("13812341234")
    assert identity_hash("Manager") == identity_hash("manager")
    assert len(identity_hash("x")) == 64 and identity_hash("") == ""
    assert address_hash("not an address") == ""
    assert address_hash("2408:8207:1:2::5") == address_hash("2408:8207:1:2::9")


# --- review --------------------------------------------------------------------------------


def test_review_restores_and_excludes_with_audit(world, survey):
    flagged = make_response(survey, world.project_a, scores=[5] * 6, flag=True)
    assert flagged.excluded is True
    review = response_review(
        actor=world.hq, response=flagged, action="restore", reason="电话核实为业主本人"
    )
    flagged.refresh_from_db()
    assert flagged.excluded is False
    assert (review.by, review.action) == (world.hq, "restore")
    # running the checks again keeps the reviewer's decision
    assert flag_response(flagged) == [STRAIGHT_LINER]
    flagged.refresh_from_db()
    assert flagged.excluded is False
    response_review(actor=world.hq, response=flagged, action="exclude", reason="复核：代填")
    flagged.refresh_from_db()
    assert flagged.excluded is True
    assert list(flagged.reviews.values_list("action", flat=True)) == ["restore", "exclude"]
    assert QualityReview.objects.filter(by=world.hq).count() == 2


def test_review_refusals(world, survey):
    from ganzhi.core.errors import DomainError

    flagged = make_response(survey, world.project_a, scores=[5] * 6, flag=True)
    for actor, status in ((world.manager, 403), (world.owner, 403), (world.outsider, 404)):
        with pytest.raises(DomainError) as caught:
            response_review(actor=actor, response=flagged, action="restore", reason="x")
        assert caught.value.status == status
    with pytest.raises(DomainError) as caught:
        response_review(actor=world.hq, response=flagged, action="restore", reason="  ")
    assert caught.value.code == "invalid"
    with pytest.raises(DomainError):
        response_review(actor=world.hq, response=flagged, action="delete", reason="x")
    flagged.refresh_from_db()
    assert flagged.excluded is True and not flagged.reviews.exists()


def test_describe_flag_in_the_current_language(world, survey):
    flagged = make_response(survey, world.project_a, scores=[5] * 6, flag=True)
    assert quality.describe_flag(flagged.quality_flags[0])
    assert quality.describe_flag({"code": "mystery", "reason": "旧原因"}) == "旧原因"


# --- pages and endpoints ---------------------------------------------------------------


@pytest.fixture
def api_as(world):
    from tests.api.conftest import ApiClient, token_for

    return lambda username: ApiClient(token_for(username))


def test_quality_page_lists_flags_and_reviews(world, survey):
    flagged = make_response(survey, world.project_a, scores=[5] * 6, flag=True)
    make_response(survey, world.project_a, flag=True)  # a normal answer is not listed
    client = world.client_for(world.hq)
    page = client.get("/surveys/quality/")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('data-response="') == 1 and str(flagged.public_id) in body
    assert 'data-flag="straight_liner"' in body
    assert (
        client.get("/surveys/quality/?flag=speeder").content.decode().count('data-response="') == 0
    )
    url = f"/surveys/quality/{flagged.public_id}/review/"
    assert client.post(url, {"action": "restore", "reason": "电话核实"}).status_code == 302
    flagged.refresh_from_db()
    assert flagged.excluded is False and flagged.reviews.get().by == world.hq
    restored = client.get("/surveys/quality/?status=restored").content.decode()
    assert str(flagged.public_id) in restored
    # no reason: refused, nothing changes
    client.post(url, {"action": "exclude", "reason": ""})
    flagged.refresh_from_db()
    assert flagged.excluded is False and flagged.reviews.count() == 1


def test_quality_page_permissions(world, survey):
    flagged = make_response(survey, world.project_a, scores=[5] * 6, flag=True)
    url = f"/surveys/quality/{flagged.public_id}/review/"
    data = {"action": "restore", "reason": "x"}
    for user in (world.manager, world.staff, world.frontline, world.owner):
        client = world.client_for(user)
        assert client.get("/surveys/quality/").status_code == 403
        assert client.post(url, data).status_code == 403
    outsider = world.client_for(world.outsider)
    assert str(flagged.public_id) not in outsider.get("/surveys/quality/").content.decode()
    assert outsider.post(url, data).status_code == 404
    assert world.client_for(None).get("/surveys/quality/").status_code == 302  # to login
    flagged.refresh_from_db()
    assert flagged.excluded is True and not flagged.reviews.exists()


def test_flagged_responses_endpoints(world, survey, api_as):
    flagged = make_response(survey, world.project_a, scores=[5] * 6, flag=True)
    hq = api_as("hq")
    listed = hq.get("/survey-responses/flagged")
    assert listed.status_code == 200, listed.content
    (item,) = listed.json()["items"]
    assert item["id"] == str(flagged.public_id) and item["excluded"] is True
    assert item["flags"][0]["code"] == "straight_liner" and item["flags"][0]["reason"]
    url = f"/survey-responses/{flagged.public_id}/reviews"
    answer = hq.post(url, {"action": "restore", "reason": "电话核实为业主本人"})
    assert answer.status_code == 201, answer.content
    assert answer.json()["excluded"] is False
    assert answer.json()["reviews"][0]["by"] == "hq"
    assert hq.post(url, {"action": "delete", "reason": "x"}).status_code == 422
    assert api_as("manager").get("/survey-responses/flagged").status_code == 403
    assert api_as("manager").post(url, {"action": "exclude", "reason": "x"}).status_code == 403
    assert api_as("owner").get("/survey-responses/flagged").status_code == 403
    outsider = api_as("outsider")
    assert outsider.get("/survey-responses/flagged").json()["items"] == []
    assert outsider.post(url, {"action": "exclude", "reason": "x"}).status_code == 404
    flagged.refresh_from_db()
    assert flagged.excluded is False and flagged.reviews.count() == 1


def test_restored_answers_count_in_scores_again(world, survey):
    """Scores (A's scoring) read ``excluded``: a restored answer is counted again."""
    scoring = pytest.importorskip("ganzhi.surveys.scoring")
    flagged = make_response(survey, world.project_a, scores=[5] * 6, flag=True)
    make_response(survey, world.project_a)

    def n():
        return scoring.scores_for(
            user=world.hq, org=world.project_a.public_id, period=str(NOW.year)
        ).n

    assert n() == 1
    response_review(actor=world.hq, response=flagged, action="restore", reason="核实")
    assert n() == 2
    response_review(actor=world.hq, response=flagged, action="exclude", reason="复核")
    assert n() == 1
