"""An owner answers a survey link on a phone by tapping, leaves and comes back, submits;
HQ then sees the project's sample size grow by one on the scores page."""

import re

import pytest

from ganzhi.core.periods import current_period_label
from ganzhi.surveys import answering
from ganzhi.surveys import campaigns as services
from ganzhi.surveys.models import Invitation, Response
from ganzhi.surveys.tokens import token_for
from tests.browser import PHONE
from tests.conftest import PASSWORD
from tests.surveys.test_campaigns import full_answers, make_questionnaire, wave

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def nps_n(page) -> int:
    hint = page.locator('[data-figure="nps"] .hint').inner_text()
    return int(re.search(r"n = (\d+)", hint).group(1))


def test_owner_answers_on_a_phone_and_hq_sees_n_grow(
    world, live_server, browser, phone_page, settings
):
    settings.GANZHI_MIN_SAMPLE = 1
    survey = make_questionnaire(world.company)
    campaign = wave(world, [world.project_a], questionnaire=survey)
    services.invitations_issue(actor=world.hq, campaign=campaign)
    # a neighbour has answered already (through the same service)
    neighbour = Invitation.objects.get(household__unit=world.unit_y)
    answering.survey_response_submit(
        response=answering.response_open(neighbour), answers=full_answers(recommend=8)
    )
    invitation = Invitation.objects.get(household=world.household_x)
    scores_url = (
        f"{live_server.url}/surveys/scores/"
        f"?org={world.project_a.public_id}&period={current_period_label()}"
    )

    desk_context = browser.new_context()
    try:
        desk = desk_context.new_page()
        desk.set_default_timeout(10_000)
        desk.goto(f"{live_server.url}/accounts/login/")
        desk.locator("#id_username").fill("hq")
        desk.locator("#id_password").fill(PASSWORD)
        desk.locator("main button[type=submit]").click()
        desk.wait_for_url(f"{live_server.url}/")
        desk.goto(scores_url)
        before = nps_n(desk)
        assert before == 1

        # --- the owner, on a phone ---
        page = phone_page
        link = f"{live_server.url}/s/{token_for(invitation)}/"
        page.goto(link)
        assert page.locator("h1").inner_text() == survey.name
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        questions = page.locator("fieldset.q")
        assert questions.count() == 10
        why = page.locator("#q-recommend-why")
        assert not why.is_visible()  # asked of detractors only

        # every 0–10 button is a large enough target on the phone
        boxes = [b.bounding_box() for b in page.locator("#q-recommend label.pick").all()]
        assert len(boxes) == 11
        assert all(b["height"] >= 44 and b["width"] >= 24 for b in boxes)

        for code, score in (("q1", 5), ("q2", 4), ("q3", 4)):
            page.locator(f"#q-{code} label.pick").nth(score - 1).tap()
        page.wait_for_function(
            "document.getElementById('save-status').textContent.length > 0"
            " && !document.getElementById('save-status').textContent.endsWith('…')"
        )
        # the owner leaves and opens the link again: the answers are still there
        page.goto(link)
        assert page.locator('#q-q1 input[value="5"]').is_checked()
        assert page.locator('#q-q3 input[value="4"]').is_checked()

        for code, score in (("q4", 3), ("q5", 5), ("q6", 4), ("overall", 4)):
            page.locator(f"#q-{code} label.pick").nth(score - 1).tap()
        page.locator("#q-recommend label.pick").nth(3).tap()  # 3: a detractor
        assert why.is_visible()
        why.locator("textarea").fill("电梯经常停运，报修后很久才修好")
        page.locator("#q-recommend label.pick").nth(9).tap()  # changed their mind: 9
        assert not why.is_visible()
        page.locator("#q-renew label.option").first.tap()
        page.locator("button.submit").tap()
        page.wait_for_url("**/s/thanks/")
        assert page.get_by_test_id("survey-thanks").is_visible()

        answer = Response.objects.get(household=world.household_x)
        assert answer.submitted_at is not None
        values = answering.answers_of(answer)
        assert values["recommend"] == 9 and "recommend-why" not in values
        assert values["q1"] == 5 and values["q4"] == 3 and values["renew"] == "yes"

        # --- HQ sees one more answer for the project ---
        desk.goto(scores_url)
        assert nps_n(desk) == before + 1
    finally:
        desk_context.close()
