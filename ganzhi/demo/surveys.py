"""Survey answers for the demo company: relationship waves, after-service surveys, planted effects.

``generate_surveys`` runs after the work orders (``generate_demo`` calls it). It sets
the surveys up through the product's own services — the default indicator library
(``library_create_default``), two questionnaires built from it
(``questionnaire_from_library``: a half-yearly one with ratings and an annual one with
expectation/perception pairs, so SERVQUAL gaps exist), a short after-service
questionnaire for the repair categories, ``questionnaire_publish`` and one campaign
per wave (``campaign_create``: one stratum per project) — and then writes the
answers in bulk:

- **Relationship waves**, two a year on the 8th–28th of May and November: the three
  before the reference day (2025-05, 2025-11, 2026-05 for 2026-10-31) are closed with
  their post-stratification weights (``campaign_close``); a fourth, the *live wave*,
  started ``LIVE_WAVE_DAYS`` days before the time of generation and is open, with the
  answers given so far (progress by stratum) and reminders sent on the product's
  rhythm. Invitations follow ``invitations_issue``'s rule (⌈target × 2.5⌉ households
  per stratum among those that did not decline surveys), drawn with a seeded
  ``Random``.
- **After-service (MOT) surveys**: an invitation for every history work order of a
  repair category that closed (as ``hooks.after_service_invite`` does), answered for
  about a third of them, with the order, its post and handler; lower scores when a
  promise was broken.
- **Planted effects** (docs/demo-data.md): responsiveness drives recommendation; one
  project's empathy falls after a staff change; a batch of staff-submitted answers;
  detractors, converted detractors and the call-back loop.

Then the product checks the answers: ``flag_responses`` (the quality checks) over
every response, and ``create_callbacks`` for the live wave's answers, as the answering
page does at submit.

Deterministic like the work orders: each project's answers come from
``Random(project sub-seed xor SURVEY_SALT)``, households in an id-free order; the live
wave from a separate ``Random`` and the clock (``now``), so the history is the same
whenever it is generated. Rows are written with ``ganzhi.demo.bulk.FastTable``, one
transaction per chunk of projects.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from random import Random
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from ganzhi.demo.bulk import FastTable, TimeOrderedIds
from ganzhi.demo.names import Weighted
from ganzhi.org.models import Company, Project, Staff, Unit, User
from ganzhi.owners.models import HouseholdMember, Owner
from ganzhi.surveys import defaults
from ganzhi.surveys.callbacks import create_callbacks, is_low_item, item_threshold
from ganzhi.surveys.campaigns import OVERSAMPLING, campaign_close, campaign_create
from ganzhi.surveys.hooks import AFTER_SERVICE_DAYS
from ganzhi.surveys.library import library_create_default
from ganzhi.surveys.models import (
    Answer,
    CallbackTask,
    Campaign,
    Invitation,
    Question,
    Questionnaire,
    Response,
    Stratum,
)
from ganzhi.surveys.quality import address_hash, flag_responses, identity_hash
from ganzhi.surveys.questionnaires import (
    DETRACTOR_MAX,
    low_score_threshold,
    questionnaire_from_library,
    questionnaire_publish,
)
from ganzhi.workorders.models import Category, Kind, State, WorkOrder

if TYPE_CHECKING:
    from ganzhi.demo.generator import ProjectSpec

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

SURVEY_SALT = 0x50_4E_E7_5A  # the history's Random: the project's sub-seed xor this
LIVE_SALT = 0x11FE_5A  # the live wave's
CHUNK_HOUSEHOLDS = 10_000  # projects are written in transactions of about this many households

# --- Waves -----------------------------------------------------------------------------
WAVE_MONTHS = (5, 11)  # relationship waves in May and November …
WAVE_DAYS = (8, 28)  # … from the 8th to the 28th
HISTORY_WAVES = 3  # closed waves before the reference day
LIVE_WAVE_DAYS = 6  # the live wave started this many days before generation …
LIVE_WAVE_LENGTH = 21  # … and runs this many days
SURVEYED_AFTER_DELIVERY = 180  # a project joins the waves this many days after delivery
REMINDER_DAYS = (3, 6, 9)  # the product's rhythm (REMIND_EVERY, MAX_REMINDERS)
EXPIRY_DAYS = 30  # invitations_issue's default
RESPONSE_RATE = (0.25, 0.40)  # per project and wave, of the invited homes and shops
NUDGE = Weighted({0: 56, 1: 24, 2: 13, 3: 7})  # answered after the invitation / reminder k
PAPER_SHARE = {"senior": 0.25, "other": 0.02}  # paper forms filled in with a housekeeper
LOGGED_IN_SHARE = 0.3  # answered while logged in to the owner portal (phone_hash)
# Local hour of answering (0 … 23).
ANSWER_HOURS = Weighted(
    list(
        enumerate(
            [
                *(0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.4, 1.5, 2.5, 3.0, 3.5, 3.5),
                *(5.0, 4.5, 3.0, 3.0, 3.0, 3.5, 4.0, 5.5, 6.5, 6.0, 4.0, 1.5),
            ]
        )
    )
)
SENIOR_BANDS = frozenset({Owner.AgeBand.FROM_60_TO_74.value, Owner.AgeBand.OVER_75.value})
ANSWER_DELAY_DAYS = Weighted({0: 55, 1: 25, 2: 12, 3: 8})  # days after the message
MEDIAN_SECONDS = {"half": 170, "annual": 210, "mot": 50}  # answering time (log-normal)
DURATION_SIGMA = 0.4
DURATION_FLOOR = 0.45  # × the median: ordinary owners are never speeders (< 1/3)

# --- Answers: latent satisfaction on the 1–5 scale -----------------------------------------
# Per respondent and dimension: L = DIMENSION_BASE + project offset + g + u, where g is the
# respondent's general satisfaction (household part, persistent across waves, plus a wave
# part) and u a dimension-specific part. Items: round(L + item offset + noise), 1 … 5.
DIMENSIONS = ("tangibles", "assurance", "responsiveness", "reliability", "empathy")
DIMENSION_BASE = {
    "tangibles": 4.32,
    "assurance": 4.25,
    "responsiveness": 4.05,
    "reliability": 4.18,
    "empathy": 4.22,
}
PROJECT_OFFSET = 0.2  # uniform(−x, x) per project, every dimension
PROJECT_DIMENSION_SD = 0.08  # per project and dimension
WAVE_SD = 0.03  # per project, wave and dimension
HOUSEHOLD_SD = 0.35  # g: the household's lasting part …
WAVE_MOOD_SD = 0.36  # … and this wave's
UNIQUE_SD = 0.32  # u
ITEM_OFFSET = 0.15  # uniform(−x, x) per sub-indicator
ITEM_SD = 0.4
# Expectations (E of the annual wave's E/P pairs): highest for responsiveness.
EXPECTATION_BASE = {
    "tangibles": 4.3,
    "assurance": 4.45,
    "responsiveness": 4.65,
    "reliability": 4.55,
    "empathy": 4.4,
}
EXPECTATION_SD = 0.45
DEMANDING_EXPECTS_MORE = 0.25  # value type 挑剔型
# Planted (1): likelihood to recommend (0–10) = round(RECOMMEND_BASE + GENERAL × (g + project
# offset) + loyalty + Σ DRIVER[d] × u_d + noise): responsiveness carries most of what the
# five dimensions explain. Loyalty is the household's own lasting disposition (so a
# detractor often stays one), which no dimension explains.
RECOMMEND_BASE = 8.3
RECOMMEND_GENERAL = 1.4
DRIVER = {
    "tangibles": 0.35,
    "assurance": 0.45,
    "responsiveness": 2.2,
    "reliability": 0.5,
    "empathy": 0.45,
}
LOYALTY_SD = 1.0
RECOMMEND_SD = 0.6
OVERALL_SD = 0.35
# Planted (2): the empathy of one project falls after its customer-service and
# housekeeper team changed: its empathy items of those posts drop by EMPATHY_DROP, the
# other posts' empathy items by EMPATHY_SPILL, from EMPATHY_FROM on.
EMPATHY_PROJECT_INDEX = 2  # P0003, or the last project when there are fewer
EMPATHY_FROM = dt.date(2026, 3, 1)
EMPATHY_POSTS = ("cs", "housekeeper")
EMPATHY_DROP = 1.2
EMPATHY_SPILL = 0.2
# Planted (3): staff answered for owners in the first project's 2026-05 wave.
STAFF_BATCH = 20
STAFF_BATCH_WAVE = 2  # the third history wave (2026-05)
STAFF_BATCH_MINUTES = 50  # all submitted within this many minutes …
STAFF_BATCH_SECONDS = (40, 75)  # … each in this many seconds, from one tablet
# Planted (4): the 2025-11 detractors are invited again in 2026-05 and answer more often.
REINVITED_RESPONSE_RATE = 0.5
RENEW = {
    "promoter": Weighted({"yes": 92, "unsure": 8}),
    "passive": Weighted({"yes": 70, "unsure": 27, "no": 3}),
    "detractor": Weighted({"yes": 25, "unsure": 45, "no": 30}),
}
WHY_SHARE = {"recommend": 0.7, "post": 0.4}  # detractors / low scorers who say why

# --- After-service (MOT) surveys ----------------------------------------------------------
MOT_ANSWER_SHARE = 0.33  # of the invited closed orders
MOT_OVERALL = {  # promise broken? → overall 1–5
    False: Weighted({5: 60, 4: 28, 3: 9, 2: 2, 1: 1}),
    True: Weighted({5: 22, 4: 30, 3: 28, 2: 12, 1: 8}),
}
MOT_RECOMMEND = {5: 9.3, 4: 8.0, 3: 6.3, 2: 4.5, 1: 2.5}  # mean 0–10 by overall
MOT_RECOMMEND_SD = 0.9
MOT_COMMENT_SHARE = 0.25

# --- Call-backs on the live wave ------------------------------------------------------------
CALLBACK_DONE = {"old": 0.8, "young": 0.35}  # tasks over / under 36 hours old at generation
CALLBACK_REACHED = 0.8
CALLBACK_RECOVERED = Weighted({True: 55, False: 30, None: 15})

QUESTIONNAIRE_HALF = "业主满意度调查（半年度）"
QUESTIONNAIRE_ANNUAL = "业主满意度年度调查（含期望）"
QUESTIONNAIRE_MOT = "报修服务评价（MOT）"
MOT_INTRO = "您报修的事项已处理完毕，请花一分钟告诉我们这次服务怎么样。"
MOT_COMMENT_TEXT = "还有什么想对我们说的？"

# --- Words -----------------------------------------------------------------------------------
RECOMMEND_WHY = [
    "报修以后等了好几天才有人来",
    "打客服电话经常没人接",
    "反映的问题没有下文",
    "物业费涨了，服务没见提高",
    "小区停车太乱，没人管",
    "电梯经常坏，修了又坏",
    "垃圾清运不及时，有异味",
    "管家换了几次，都不熟悉情况",
    "晚上外来人员随便进出，不安全",
    "绿化很久没修剪了",
]
POST_WHY = {
    "cs": ["电话打不通", "办事要跑好几趟", "说话不耐烦", "收费说不清楚"],
    "security": ["门岗不登记就放人进来", "晚上巡逻看不到人", "乱停车没人管", "态度生硬"],
    "cleaning": ["楼道好几天没拖", "电梯里有异味", "垃圾桶周边很脏", "地下车库灰很大"],
    "greening": ["树枝挡住窗户没人修", "草坪黄了一大片", "打药没有提前通知"],
    "engineering": ["约好的时间不上门", "修完没多久又坏了", "修完现场没收拾", "收费不透明"],
    "housekeeper": ["管家微信不回", "找管家的事没有结果", "换了管家都不认识", "从来没有回访过"],
}
MOT_COMMENTS = {
    5: ["师傅很专业，谢谢", "来得很快，修得很好", "非常满意，点赞", "师傅很细心，还帮忙收拾了"],
    4: ["总体不错", "修好了，就是等的时间有点长", "还可以"],
    3: ["一般吧，拖了好几天", "修好了但没说清楚原因", "希望下次快一点"],
    2: ["等了很久才来", "修完没多久又坏了", "师傅态度不好"],
    1: ["根本没修好", "约了三次都没来", "很失望，准备投诉"],
}
CALLBACK_ISSUES = [
    "业主反映报修响应慢，已向工程部反馈并约定上门时间",
    "业主对停车管理不满，已转秩序维护部跟进",
    "业主反映管家联系不上，已告知新管家的联系方式",
    "楼道卫生问题，已安排保洁当天处理",
    "业主对物业费标准有疑问，已当面解释收费明细",
    "业主反映电梯故障频繁，已报维保单位检修",
    "业主情绪较大，已致歉并约定项目经理上门沟通",
]


def _json(value) -> str:
    return json.dumps(value)


EMPTY_LIST = _json([])
CHOICE_JSON = {value: _json([value]) for value in ("yes", "unsure", "no")}


# --- Plan --------------------------------------------------------------------------------


@dataclass
class Wave:
    key: str  # "2025-05"
    index: int  # 0, 1, … in time order
    kind: str  # "half" (ratings) or "annual" (E/P pairs)
    starts_on: dt.date
    ends_on: dt.date
    live: bool = False
    campaign: Campaign | None = None
    projects: list[int] = field(default_factory=list)  # project ids surveyed
    targets: dict[int, tuple[int, int]] = field(default_factory=dict)  # project → (stratum, n)

    @property
    def name(self) -> str:
        label = f"{self.starts_on.year}年{self.starts_on.month}月"
        return f"{label}业主满意度{'年度调查' if self.kind == 'annual' else '调查'}"


def plan_waves(reference: dt.date, now: dt.datetime) -> list[Wave]:
    """The closed waves before ``reference`` (oldest first) and the live one (last)."""
    months = sorted(WAVE_MONTHS, reverse=True)
    candidates = [(y, m) for y in range(reference.year, reference.year - 5, -1) for m in months]
    history = [c for c in candidates if dt.date(*c, WAVE_DAYS[1]) < reference][:HISTORY_WAVES]
    waves = []
    for index, (year, month) in enumerate(reversed(history)):
        waves.append(
            Wave(
                key=f"{year}-{month:02d}",
                index=index,
                kind="annual" if month == max(WAVE_MONTHS) else "half",
                starts_on=dt.date(year, month, WAVE_DAYS[0]),
                ends_on=dt.date(year, month, WAVE_DAYS[1]),
            )
        )
    today = now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    start = max(reference + DAY, today - dt.timedelta(days=LIVE_WAVE_DAYS))
    waves.append(
        Wave(
            key=f"{start.year}-{start.month:02d}",
            index=len(waves),
            kind="annual",  # the wave after May is the annual one
            starts_on=start,
            ends_on=start + dt.timedelta(days=LIVE_WAVE_LENGTH - 1),
            live=True,
        )
    )
    return waves


@dataclass
class SurveySummary:
    questionnaires: int = 0
    campaigns: int = 0
    invitations: int = 0
    responses: int = 0
    live_responses: int = 0  # of them, in the live wave
    mot_responses: int = 0
    answers: int = 0
    flagged: int = 0
    callbacks: int = 0
    seconds: float = 0.0


@dataclass
class _Q:
    """A question as the generator needs it."""

    id: int
    code: str
    type: str
    post: str  # post code of an item or a post's "why" question
    dimension: str
    offset: float  # the item's offset (items only)


@dataclass
class _Form:
    """A questionnaire's questions, grouped."""

    questionnaire: Questionnaire
    items: list[_Q]
    why: dict[str, _Q]  # post code → its low-score question
    overall: _Q | None
    recommend: _Q | None
    recommend_why: _Q | None
    renew: _Q | None
    comment: _Q | None = None

    @classmethod
    def load(cls, questionnaire: Questionnaire) -> _Form:
        rows = (
            Question.objects.filter(questionnaire=questionnaire)
            .order_by("sort_order", "id")
            .values_list(
                "id", "code", "type", "role", "indicator__post__code", "indicator__dimension"
            )
        )
        items, why = [], {}
        special: dict[str, _Q] = {}
        for qid, code, type_, role, post, dimension in rows:
            if dimension:
                offset = Random(f"demo-item:{code}").uniform(-ITEM_OFFSET, ITEM_OFFSET)
                items.append(_Q(qid, code, type_, post or "", dimension, offset))
            elif code.endswith("-why") and code != "recommend-why":
                post_code = code.removesuffix("-why")
                why[post_code] = _Q(qid, code, type_, post_code, "", 0.0)
            else:
                special[role or code] = _Q(qid, code, type_, "", "", 0.0)
        return cls(
            questionnaire=questionnaire,
            items=items,
            why=why,
            overall=special.get(Question.Role.OVERALL),
            recommend=special.get(Question.Role.RECOMMEND),
            recommend_why=special.get("recommend-why"),
            renew=special.get(Question.Role.RENEW),
            comment=special.get("comment"),
        )


class _Context:
    def __init__(
        self,
        company: Company,
        projects: list[ProjectSpec],
        reference: dt.date,
        now: dt.datetime,
        scale: float = 1.0,
        after_service_scale: float = 1.0,
    ) -> None:
        self.company = company
        # × the chance to answer (benchmark tiers); 1 is the documented behaviour.
        self.scale = scale
        self.after_service_scale = after_service_scale
        self.reference = reference
        self.now = now
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.cutoff = (
            dt.datetime.combine(reference, dt.time(23, 59, 59), tzinfo=self.zone)
        ).astimezone(UTC)
        self.waves = plan_waves(reference, now)
        self.specs = projects
        self.empathy_code = projects[min(EMPATHY_PROJECT_INDEX, len(projects) - 1)].code
        self.batch_code = projects[0].code
        self.empathy_from = self.local_start(EMPATHY_FROM)
        self.ts = _ts_sqlite if connection.vendor == "sqlite" else _ts_native
        self.public_ids = TimeOrderedIds()
        self.invitations = FastTable(Invitation, INVITATION_COLUMNS)
        self.responses = FastTable(Response, RESPONSE_COLUMNS)
        self.answers = FastTable(Answer, ANSWER_COLUMNS)
        self.forms: dict[str, _Form] = {}
        self.mot_categories: list[int] = []

    def local_start(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(0), tzinfo=self.zone).astimezone(UTC)

    def at(self, day: dt.date, hour: float) -> dt.datetime:
        """``day`` at local ``hour`` (fractions are minutes and seconds), in UTC."""
        local = dt.datetime.combine(day, dt.time(0), tzinfo=self.zone)
        return (local + dt.timedelta(seconds=int(hour * 3600))).astimezone(UTC)

    # -- set-up through the services --

    def setup(self, summary: SurveySummary) -> None:
        company = self.company
        # The services want an actor; this in-memory HQ superuser of the company is never
        # saved (none of the services used here stores who acted).
        actor = User(username="demo-generator", company=company, is_superuser=True)
        library = library_create_default(company=company)
        half = questionnaire_from_library(
            actor=actor, library=library, name=QUESTIONNAIRE_HALF, kind="relationship"
        )
        annual = questionnaire_from_library(
            actor=actor,
            library=library,
            name=QUESTIONNAIRE_ANNUAL,
            kind="relationship",
            include_expectations=True,
        )
        mot = self._mot_questionnaire()
        half, annual, mot = (
            questionnaire_publish(actor=actor, questionnaire=q) for q in (half, annual, mot)
        )
        first_wave = self.waves[0].starts_on
        Questionnaire.objects.filter(pk__in=[half.pk, annual.pk]).update(
            created_at=self.local_start(first_wave - dt.timedelta(days=21))
        )
        Questionnaire.objects.filter(pk=mot.pk).update(
            created_at=self.local_start(self.reference.replace(year=self.reference.year - 2))
        )
        self.forms = {
            "half": _Form.load(half),
            "annual": _Form.load(annual),
            "mot": _Form.load(mot),
        }
        summary.questionnaires = 3

        projects = {p.code: p for p in Project.objects.filter(company=company)}
        for wave in self.waves:
            joined = wave.starts_on - dt.timedelta(days=SURVEYED_AFTER_DELIVERY)
            surveyed = [
                projects[s.code]
                for s in self.specs
                if s.delivered_on is None or s.delivered_on <= joined
            ] or [projects[self.specs[0].code]]
            wave.campaign = campaign_create(
                actor=actor,
                questionnaire=self.forms[wave.kind].questionnaire,
                name=wave.name,
                starts_on=wave.starts_on,
                ends_on=wave.ends_on,
                projects=surveyed,
                by_building=False,
            )
            wave.projects = [p.id for p in surveyed]
            wave.targets = {
                project_id: (stratum_id, target)
                for stratum_id, project_id, target in Stratum.objects.filter(
                    campaign=wave.campaign
                ).values_list("id", "project_id", "target")
            }
            Campaign.objects.filter(pk=wave.campaign.pk).update(
                created_at=self.local_start(wave.starts_on - dt.timedelta(days=7))
            )
        summary.campaigns = len(self.waves)

    def _mot_questionnaire(self) -> Questionnaire:
        """The short after-service survey (overall, recommend, one open question) for the
        repair categories. No service builds a questionnaire without a library yet, so
        the rows are made here, with the wordings of ``ganzhi.surveys.defaults``."""
        questionnaire = Questionnaire.objects.create(
            company=self.company,
            name=QUESTIONNAIRE_MOT,
            kind=Questionnaire.Kind.TRANSACTIONAL,
            intro=MOT_INTRO,
        )
        Question.objects.bulk_create(
            [
                Question(
                    questionnaire=questionnaire,
                    code="overall",
                    type=Question.Type.RATING,
                    role=Question.Role.OVERALL,
                    text=defaults.OVERALL_TEXT.replace("物业服务", "这次服务"),
                    help_text=defaults.RATING_HELP.format(scale=5),
                    scale_min=1,
                    scale_max=5,
                    sort_order=0,
                ),
                Question(
                    questionnaire=questionnaire,
                    code="recommend",
                    type=Question.Type.RECOMMEND,
                    role=Question.Role.RECOMMEND,
                    text=defaults.RECOMMEND_TEXT,
                    help_text=defaults.RECOMMEND_HELP,
                    scale_min=0,
                    scale_max=10,
                    sort_order=1,
                ),
                Question(
                    questionnaire=questionnaire,
                    code="comment",
                    type=Question.Type.TEXT,
                    text=MOT_COMMENT_TEXT,
                    required=False,
                    sort_order=2,
                ),
            ]
        )
        categories = Category.objects.filter(company=self.company, kind=Kind.REPAIR)
        questionnaire.workorder_categories.set(categories)
        self.mot_categories = sorted(c.id for c in categories)
        return questionnaire


def _ts_sqlite(value: dt.datetime | None):
    # What Django stores for an aware datetime on SQLite: the naive UTC time as text.
    return None if value is None else value.astimezone(UTC).isoformat(" ")[:-6]


def _ts_native(value: dt.datetime | None):
    return value


INVITATION_COLUMNS = (
    "id",
    "public_id",
    "company_id",
    "questionnaire_id",
    "campaign_id",
    "stratum_id",
    "household_id",
    "project_id",
    "workorder_id",
    "created_at",
    "expires_at",
    "sent_at",
    "reminded_at",
    "reminder_count",
    "opened_at",
    "completed_at",
)
RESPONSE_COLUMNS = (
    "id",
    "public_id",
    "company_id",
    "questionnaire_id",
    "campaign_id",
    "invitation_id",
    "workorder_id",
    "household_id",
    "is_anonymous",
    "project_id",
    "building_id",
    "post_id",
    "staff_id",
    "source",
    "external_id",
    "started_at",
    "submitted_at",
    "duration_seconds",
    "device_hash",
    "address_hash",
    "phone_hash",
    "quality_flags",
    "excluded",
    "weight",
)
ANSWER_COLUMNS = ("response_id", "question_id", "number", "expectation", "text", "choices")


# --- One project ---------------------------------------------------------------------------


@dataclass
class _Home:
    household_id: int
    building_id: int
    kind: str  # unit type
    move_in: dt.date | None
    consents: bool  # someone registered agrees to surveys (or nobody is registered)
    members: dict[int, bool]  # owner id → consent_survey
    primary: int | None  # the primary contact's owner id
    phone: str  # the primary contact's
    senior: bool
    demanding: bool
    h: float = 0.0  # lasting general satisfaction
    loyalty: float = 0.0  # lasting disposition to recommend
    device: str = ""  # the household's phone (device cookie)


@dataclass
class _Invite:
    home: int  # index in homes
    sent: dt.datetime | None
    reminders: list[dt.datetime]
    answered: dt.datetime | None = None  # submitted at
    started: dt.datetime | None = None
    response: tuple | None = None  # the response row without ids
    answers: list[tuple] = field(default_factory=list)  # (question id, number, e, text, choices)
    callback: bool = False  # create_callbacks will make a task (detractor or a low item)


class _ProjectRun:
    def __init__(self, ctx: _Context, spec: ProjectSpec) -> None:
        self.ctx = ctx
        self.spec = spec
        self.project = Project.objects.get(company=ctx.company, code=spec.code)
        self._load()

    def _load(self) -> None:
        rows = HouseholdMember.objects.filter(
            household__project=self.project, household__is_current=True
        ).values_list(
            "household_id",
            "household__unit__building_id",
            "household__unit__building__name",
            "household__unit__entrance",
            "household__unit__number",
            "household__unit__type",
            "household__move_in_date",
            "owner_id",
            "owner__consent_survey",
            "is_primary_contact",
            "owner__phone",
            "owner__age_band",
            "owner__value_type",
        )
        homes: dict[int, tuple[tuple, _Home]] = {}
        for hid, bid, bname, entrance, number, kind, move_in, oid, consent, primary, *rest in rows:
            entry = homes.get(hid)
            if entry is None:
                home = _Home(hid, bid, kind, move_in, False, {}, None, "", False, False)
                entry = homes[hid] = ((bname, entrance, number), home)
            home = entry[1]
            home.members[oid] = consent
            home.consents = home.consents or consent
            if primary:
                phone, age_band, value_type = rest
                home.primary, home.phone = oid, phone
                home.senior = age_band in SENIOR_BANDS
                home.demanding = value_type == Owner.ValueType.DEMANDING
        # Id-free order (the same on every backend): building, entrance, number.
        self.homes = [home for _key, home in sorted(homes.values(), key=lambda e: e[0])]
        self.index_of = {home.household_id: i for i, home in enumerate(self.homes)}
        staff = sorted(
            Staff.objects.filter(projects=self.project).values_list(
                "employee_no", "id", "post__code"
            )
        )
        self.staff: dict[str | None, list[tuple[str, int]]] = defaultdict(list)
        for number, sid, post in staff:
            self.staff[post].append((number, sid))

    # -- the whole project --

    def run(self, summary: SurveySummary) -> list[int]:
        """Write the project's invitations, responses and answers; the ids of the live
        wave's responses that call for a call-back."""
        ctx = self.ctx
        rng = Random(self.spec.seed ^ SURVEY_SALT)
        for home in self.homes:
            home.h = rng.gauss(0.0, HOUSEHOLD_SD)
            home.loyalty = rng.gauss(0.0, LOYALTY_SD)
            home.device = f"{rng.getrandbits(64):016x}"
        self.offset = rng.uniform(-PROJECT_OFFSET, PROJECT_OFFSET)
        self.dimension_offset = {d: rng.gauss(0.0, PROJECT_DIMENSION_SD) for d in DIMENSIONS}
        previous_detractors: set[int] = set()
        live_ids: list[int] = []
        for wave in ctx.waves:
            if self.project.id not in wave.projects:
                continue
            wave_rng = Random(self.spec.seed ^ LIVE_SALT) if wave.live else rng
            invites, detractors = self.wave(wave, wave_rng, previous_detractors)
            if self.spec.code == ctx.batch_code and wave.index == STAFF_BATCH_WAVE:
                self.staff_batch(wave, invites, rng)
            ids = self.write_wave(wave, invites, summary)
            if wave.live:
                live_ids = ids
            previous_detractors = detractors
        self.after_service(rng, summary)
        return live_ids

    # -- relationship waves --

    def wave(self, wave: Wave, rng: Random, reinvite: set[int]) -> tuple[list[_Invite], set[int]]:
        ctx = self.ctx
        _stratum, target = wave.targets[self.project.id]
        eligible = [
            i
            for i, home in enumerate(self.homes)
            if home.consents and (home.move_in is None or home.move_in < wave.starts_on)
        ]
        quota = min(len(eligible), math.ceil(target * OVERSAMPLING - 1e-9))
        eligible_set = set(eligible)
        again = sorted(i for i in reinvite if i in eligible_set)[:quota]
        again_set = set(again)
        rest = [i for i in eligible if i not in again_set]
        chosen = sorted(again + rng.sample(rest, quota - len(again)))
        rate = rng.uniform(*RESPONSE_RATE)
        mood = {d: rng.gauss(0.0, WAVE_SD) for d in DIMENSIONS}
        first = ctx.at(wave.starts_on, 10 + rng.random())
        reminders = [
            ctx.at(wave.starts_on + dt.timedelta(days=k), 9.5 + rng.random() * 1.5)
            for k in REMINDER_DAYS
        ]
        end = ctx.at(wave.ends_on, 24) - dt.timedelta(seconds=1)
        form = ctx.forms[wave.kind]
        invites, detractors = [], set()
        for i in chosen:
            home = self.homes[i]
            p = (REINVITED_RESPONSE_RATE if i in again_set else rate) * ctx.scale
            answers = home.kind != Unit.Type.PARKING and rng.random() < p  # parking: see docs
            nudge = NUDGE(rng)
            messages = [first, *reminders]
            message = messages[nudge]
            submitted = self._answer_time(message, rng)
            invite = _Invite(home=i, sent=first, reminders=[])
            draws = self._respondent(rng, home, mood) if answers else None
            if answers and submitted <= end and (not wave.live or submitted <= ctx.now):
                invite.answered = submitted
                invite.reminders = reminders[:nudge]
                invite.started, invite.response, invite.answers, recommend, low = self._response(
                    rng, home, form, wave, submitted, draws
                )
                if recommend <= DETRACTOR_MAX:
                    detractors.add(i)
                invite.callback = low or recommend <= DETRACTOR_MAX
            else:
                invite.reminders = reminders
            if wave.live:
                invite.reminders = [t for t in invite.reminders if t <= ctx.now]
                if first > ctx.now:
                    invite.sent = None
            invites.append(invite)
        return invites, detractors

    def _answer_time(self, message: dt.datetime, rng: Random) -> dt.datetime:
        """When an owner answers a message: that day or a few days later, mostly at
        lunchtime or in the evening (never before the message)."""
        ctx = self.ctx
        day = message.astimezone(ctx.zone).date() + dt.timedelta(days=ANSWER_DELAY_DAYS(rng))
        t = ctx.at(day, ANSWER_HOURS(rng) + rng.random())
        if t <= message:
            t = message + dt.timedelta(seconds=int(rng.expovariate(1 / 5400)) + 60)
        return t.replace(microsecond=0)

    def _respondent(self, rng: Random, home: _Home, mood: dict):
        """The latent draws of one respondent: general satisfaction g, the level of each
        dimension, its own part u, and the draw that decides paper or web."""
        g = home.h + rng.gauss(0.0, WAVE_MOOD_SD)
        levels = {}
        unique = {}
        for d in DIMENSIONS:
            unique[d] = rng.gauss(0.0, UNIQUE_SD)
            levels[d] = (
                DIMENSION_BASE[d] + self.offset + self.dimension_offset[d] + mood[d] + g + unique[d]
            )
        return g, levels, unique, rng.random()

    def _response(self, rng: Random, home: _Home, form: _Form, wave: Wave, submitted, draws):
        ctx = self.ctx
        g, levels, unique, paper_draw = draws
        dropped = (
            self.spec.code == ctx.empathy_code and ctx.at(wave.starts_on, 0) >= ctx.empathy_from
        )
        answers: list[tuple] = []
        low_posts: set[str] = set()
        low = low_score_threshold(5)
        callback_low = item_threshold()
        numbers = []
        for item in form.items:
            level = levels[item.dimension] + item.offset
            if dropped and item.dimension == "empathy":
                level -= EMPATHY_DROP if item.post in EMPATHY_POSTS else EMPATHY_SPILL
            value = min(5, max(1, round(level + rng.gauss(0.0, ITEM_SD))))
            numbers.append(value)
        if len(set(numbers)) == 1:  # nobody ordinary straight-lines (see docs)
            k = int(rng.random() * len(numbers))
            numbers[k] += -1 if numbers[k] > 1 else 1
        for item, value in zip(form.items, numbers, strict=True):
            expectation = None
            if item.type == Question.Type.EXPECTATION_PERCEPTION:
                e = EXPECTATION_BASE[item.dimension] + rng.gauss(0.0, EXPECTATION_SD)
                e += DEMANDING_EXPECTS_MORE if home.demanding else 0.0
                expectation = float(min(5, max(1, round(e))))
            answers.append((item.id, float(value), expectation, "", EMPTY_LIST))
            if value <= low:
                low_posts.add(item.post)
        for post in sorted(low_posts):
            why = form.why.get(post)
            if why is not None and rng.random() < WHY_SHARE["post"]:
                texts = POST_WHY.get(post) or RECOMMEND_WHY
                answers.append(
                    (why.id, None, None, texts[int(rng.random() * len(texts))], EMPTY_LIST)
                )
        mean_level = sum(levels.values()) / len(levels)
        overall = min(5, max(1, round(mean_level + 0.05 + rng.gauss(0.0, OVERALL_SD))))
        answers.append((form.overall.id, float(overall), None, "", EMPTY_LIST))
        latent = RECOMMEND_BASE + RECOMMEND_GENERAL * (g + self.offset) + home.loyalty
        latent += sum(DRIVER[d] * unique[d] for d in DIMENSIONS)
        recommend = min(10, max(0, round(latent + rng.gauss(0.0, RECOMMEND_SD))))
        answers.append((form.recommend.id, float(recommend), None, "", EMPTY_LIST))
        group = _nps_group(recommend)
        if group == "detractor" and rng.random() < WHY_SHARE["recommend"]:
            text = RECOMMEND_WHY[int(rng.random() * len(RECOMMEND_WHY))]
            answers.append((form.recommend_why.id, None, None, text, EMPTY_LIST))
        answers.append((form.renew.id, None, None, "", CHOICE_JSON[RENEW[group](rng)]))

        paper = paper_draw < PAPER_SHARE["senior" if home.senior else "other"]
        if paper:
            started, duration, device, address, phone = submitted, None, "", "", ""
            source = Response.Source.PAPER
        else:
            duration = _duration(rng, MEDIAN_SECONDS[wave.kind])
            started = submitted - dt.timedelta(seconds=duration)
            device = identity_hash(f"device:{home.device}")
            address = address_hash(_mobile_ip(rng))
            logged_in = rng.random() < LOGGED_IN_SHARE and home.phone
            phone = identity_hash(home.phone) if logged_in else ""
            source = Response.Source.WEB
        response = (home.household_id, home.building_id, source, started, submitted, duration)
        low_item = any(is_low_item(n, 1, 5, callback_low) for n in numbers)
        row = (*response, device, address, phone, None, None, None)
        return started, row, answers, recommend, low_item

    def staff_batch(self, wave: Wave, invites: list[_Invite], rng: Random) -> None:
        """Planted (3): staff fill in STAFF_BATCH unanswered invitations of this wave on the
        office tablet, with their own accounts, all top marks, within minutes."""
        ctx = self.ctx
        form = ctx.forms[wave.kind]
        silent = [
            v
            for v in invites
            if v.answered is None and self.homes[v.home].kind != Unit.Type.PARKING
        ]
        chosen = sorted(rng.sample(silent, min(STAFF_BATCH, len(silent))), key=lambda v: v.home)
        team = (self.staff.get("cs") or [])[:1] + (self.staff.get("housekeeper") or [])[:1]
        team = team or (self.staff.get(None) or [])[:1]
        tablet = identity_hash(f"device:office-tablet-{self.spec.code}")
        office = address_hash(f"61.{self.spec.seed % 200 + 20}.18.{self.spec.seed % 250 + 2}")
        start = ctx.at(wave.starts_on + dt.timedelta(days=4), 14 + rng.random())
        for k, invite in enumerate(chosen):
            submitted = start + dt.timedelta(
                seconds=int(k * STAFF_BATCH_MINUTES * 60 / len(chosen) + rng.random() * 60)
            )
            duration = rng.randint(*STAFF_BATCH_SECONDS)
            number, _staff_id = team[k % len(team)]
            answers = []
            for item in form.items:
                expectation = 5.0 if item.type == Question.Type.EXPECTATION_PERCEPTION else None
                answers.append((item.id, 5.0, expectation, "", EMPTY_LIST))
            answers.append((form.overall.id, 5.0, None, "", EMPTY_LIST))
            answers.append((form.recommend.id, 10.0, None, "", EMPTY_LIST))
            answers.append((form.renew.id, None, None, "", CHOICE_JSON["yes"]))
            home = self.homes[invite.home]
            invite.answered = submitted
            invite.started = submitted - dt.timedelta(seconds=duration)
            invite.reminders = [t for t in invite.reminders if t < submitted]
            invite.response = (
                home.household_id,
                home.building_id,
                Response.Source.WEB,
                invite.started,
                submitted,
                duration,
                tablet,
                office,
                identity_hash(number),  # logged in with the staff member's account
                None,
                None,
                None,
            )
            invite.answers = answers

    def write_wave(self, wave: Wave, invites: list[_Invite], summary: SurveySummary) -> list[int]:
        ctx = self.ctx
        ts = ctx.ts
        company_id, project_id = ctx.company.id, self.project.id
        campaign = wave.campaign
        stratum_id, _target = wave.targets[project_id]
        questionnaire_id = campaign.questionnaire_id
        ids = ctx.invitations.allocate_ids(len(invites))
        pubs = ctx.public_ids.take(len(invites))
        rows = []
        answered = []
        for iid, pub, invite in zip(ids, pubs, invites, strict=True):
            home = self.homes[invite.home]
            sent = invite.sent
            rows.append(
                (
                    iid,
                    pub,
                    company_id,
                    questionnaire_id,
                    campaign.id,
                    stratum_id,
                    home.household_id,
                    project_id,
                    None,
                    ts(sent or ctx.at(wave.starts_on, 9)),
                    ts((sent or ctx.at(wave.starts_on, 10)) + dt.timedelta(days=EXPIRY_DAYS)),
                    ts(sent),
                    ts(invite.reminders[-1]) if invite.reminders else None,
                    len(invite.reminders),
                    ts(invite.started),
                    ts(invite.answered),
                )
            )
            if invite.response is not None:
                answered.append((iid, invite))
        ctx.invitations.insert(rows)
        summary.invitations += len(rows)
        ids = self._write_responses(
            [(v.response, v.answers, campaign.id, iid, questionnaire_id) for iid, v in answered],
            summary,
            live=wave.live,
        )
        return [rid for rid, (_iid, invite) in zip(ids, answered, strict=True) if invite.callback]

    def _write_responses(
        self, entries: list[tuple], summary: SurveySummary, *, live: bool
    ) -> list[int]:
        """Responses (with ids allocated) and their answers; the response ids."""
        ctx = self.ctx
        ts = ctx.ts
        company_id, project_id = ctx.company.id, self.project.id
        ids = ctx.responses.allocate_ids(len(entries))
        pubs = ctx.public_ids.take(len(entries))
        rows, answer_rows = [], []
        for rid, pub, (response, answers, campaign_id, invitation_id, questionnaire_id) in zip(
            ids, pubs, entries, strict=True
        ):
            (household, building, source, started, submitted, duration, device, address, phone,
             workorder, post, staff) = response  # fmt: skip
            rows.append(
                (
                    rid,
                    pub,
                    company_id,
                    questionnaire_id,
                    campaign_id,
                    invitation_id,
                    workorder,
                    household,
                    False,
                    project_id,
                    building,
                    post,
                    staff,
                    source,
                    "",
                    ts(started),
                    ts(submitted),
                    duration,
                    device,
                    address,
                    phone,
                    EMPTY_LIST,
                    False,
                    1.0,
                )
            )
            for question_id, number, expectation, text, choices in answers:
                answer_rows.append((rid, question_id, number, expectation, text, choices))
        ctx.responses.insert(rows)
        ctx.answers.insert(answer_rows)
        summary.responses += len(rows)
        summary.answers += len(answer_rows)
        if live:
            summary.live_responses += len(rows)
        return list(ids)

    # -- after-service surveys --

    def after_service(self, rng: Random, summary: SurveySummary) -> None:
        """An invitation for every closed history order of a repair category with a
        household (unless its contact declined surveys); a third of them answered."""
        ctx = self.ctx
        form = ctx.forms["mot"]
        orders = (
            WorkOrder.objects.filter(
                project=self.project,
                state=State.CLOSED,
                household__isnull=False,
                category_id__in=ctx.mot_categories,
                created_at__lte=ctx.cutoff,
                closed_at__lte=ctx.cutoff,
            )
            .values_list(
                "id",
                "household_id",
                "reporter_id",
                "post_id",
                "assignee_id",
                "closed_at",
                "response_breached",
                "resolve_breached",
            )
            .order_by("created_at", "id")
        )
        ts = ctx.ts
        company_id, project_id = ctx.company.id, self.project.id
        questionnaire_id = form.questionnaire.id
        invitations, entries = [], []
        for (
            oid,
            hid,
            reporter,
            post,
            assignee,
            closed,
            response_breached,
            resolve_breached,
        ) in orders:
            i = self.index_of.get(hid)
            if i is None:
                continue
            home = self.homes[i]
            contact = reporter if reporter in home.members else home.primary
            if contact is None or not home.members.get(contact, False):
                continue  # the owner declined surveys
            closed = closed.astimezone(UTC)
            expires = closed + dt.timedelta(days=AFTER_SERVICE_DAYS)
            invitation = [None, None, company_id, questionnaire_id, None, None, hid, project_id]
            invitation += [oid, ts(closed), ts(expires), ts(closed), None, 0, None, None]
            if rng.random() < MOT_ANSWER_SHARE * ctx.after_service_scale:
                delay = (
                    rng.expovariate(1 / (5 * 3600))
                    if rng.random() < 0.8
                    else rng.uniform(6, 96) * 3600
                )
                submitted = (closed + dt.timedelta(seconds=int(delay) + 60)).replace(microsecond=0)
                if submitted >= expires:
                    submitted = expires - dt.timedelta(hours=rng.uniform(1, 20))
                    submitted = submitted.replace(microsecond=0)
                duration = _duration(rng, MEDIAN_SECONDS["mot"])
                started = submitted - dt.timedelta(seconds=duration)
                breached = response_breached or resolve_breached
                overall = MOT_OVERALL[breached](rng)
                recommend = min(
                    10, max(0, round(MOT_RECOMMEND[overall] + rng.gauss(0.0, MOT_RECOMMEND_SD)))
                )
                answers = [
                    (form.overall.id, float(overall), None, "", EMPTY_LIST),
                    (form.recommend.id, float(recommend), None, "", EMPTY_LIST),
                ]
                if rng.random() < MOT_COMMENT_SHARE:
                    texts = MOT_COMMENTS[overall]
                    text = texts[int(rng.random() * len(texts))]
                    answers.append((form.comment.id, None, None, text, EMPTY_LIST))
                logged_in = rng.random() < LOGGED_IN_SHARE and home.phone
                response = (
                    hid,
                    home.building_id,
                    Response.Source.WEB,
                    started,
                    submitted,
                    duration,
                    identity_hash(f"device:{home.device}"),
                    address_hash(_mobile_ip(rng)),
                    identity_hash(home.phone) if logged_in else "",
                    oid,
                    post,
                    assignee,
                )
                invitation[14], invitation[15] = ts(started), ts(submitted)
                entries.append((len(invitations), response, answers))
            invitations.append(invitation)
        ids = ctx.invitations.allocate_ids(len(invitations))
        pubs = ctx.public_ids.take(len(invitations))
        for row, iid, pub in zip(invitations, ids, pubs, strict=True):
            row[0], row[1] = iid, pub
        ctx.invitations.insert([tuple(row) for row in invitations])
        summary.invitations += len(invitations)
        before = summary.responses
        self._write_responses(
            [
                (response, answers, None, ids[k], questionnaire_id)
                for k, response, answers in entries
            ],
            summary,
            live=False,
        )
        summary.mot_responses += summary.responses - before


def _nps_group(recommend: int) -> str:
    if recommend <= DETRACTOR_MAX:
        return "detractor"
    return "passive" if recommend <= 8 else "promoter"


def _duration(rng: Random, median: int) -> int:
    seconds = median * math.exp(rng.gauss(0.0, DURATION_SIGMA))
    return int(max(median * DURATION_FLOOR, seconds))


def _mobile_ip(rng: Random) -> str:
    """An address of a mainland mobile carrier's pool (the client address of a phone)."""
    first = (36, 39, 42, 101, 106, 111, 112, 113, 117, 120, 183, 223)[int(rng.random() * 12)]
    return (
        f"{first}.{int(rng.random() * 256)}.{int(rng.random() * 256)}.{1 + int(rng.random() * 254)}"
    )


# --- After all projects -------------------------------------------------------------------


def _analyze() -> None:
    """Fresh statistics for the tables just loaded (PostgreSQL). The quality checks and
    call-backs query answers by response; with the planner's defaults for a table it has
    never analysed (autovacuum runs later, or not at all), each of those queries scanned
    all answers: 180 s instead of 9 s at 100,000 households."""
    if connection.vendor != "postgresql":
        return
    tables = (Answer, Response, Invitation, Question, CallbackTask)
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _close_waves(ctx: _Context) -> None:
    """Close the history waves (storing their weights, as the clock does after the end
    date); open the live one (as issuing its invitations does)."""
    for wave in ctx.waves:
        if wave.live:
            Campaign.objects.filter(pk=wave.campaign.pk).update(status=Campaign.Status.OPEN)
            wave.campaign.status = Campaign.Status.OPEN
        else:
            campaign_close(actor=None, campaign=wave.campaign)


def _quality_checks(ctx: _Context, summary: SurveySummary, batch: int = 5000) -> None:
    """The product's quality checks over every response (as the answering page runs them
    at submit); the staff batch gets flagged and excluded."""
    ids = list(
        Response.objects.filter(company=ctx.company)
        .order_by("submitted_at", "id")
        .values_list("id", flat=True)
    )
    for start in range(0, len(ids), batch):
        responses = list(Response.objects.filter(pk__in=ids[start : start + batch]))
        flagged = flag_responses(responses)
        summary.flagged += sum(1 for codes in flagged.values() if codes)


def _callbacks(ctx: _Context, live_ids: list[int], summary: SurveySummary) -> None:
    """``create_callbacks`` for the live wave's answers that call for one (a detractor or
    a low item; for the others it makes nothing), as if at the moment of the answer: due
    24 hours later. Then who calls (the project's 客服, the fewest open tasks first) and
    the calls made so far: most tasks older than 36 hours are done, the rest open or
    overdue at generation time."""
    if not live_ids:
        return
    rng = Random(LIVE_SALT ^ len(live_ids))
    responses = Response.objects.filter(pk__in=live_ids).order_by("submitted_at", "id")
    cs = defaultdict(list)
    for project_id, staff_id in (
        Staff.objects.filter(company=ctx.company, post__code="cs")
        .order_by("employee_no")
        .values_list("projects", "id")
    ):
        cs[project_id].append(staff_id)
    load: dict[int, int] = defaultdict(int)
    changed: list[CallbackTask] = []
    for response in responses:
        tasks = create_callbacks(response, now=response.submitted_at, notify=False)
        if not tasks:
            continue
        team = cs.get(response.project_id) or []
        assignee = min(team, key=lambda s: (load[s], s)) if team else None
        age = ctx.now - response.submitted_at
        done = rng.random() < CALLBACK_DONE["old" if age > 36 * HOUR else "young"]
        done_at = response.submitted_at + dt.timedelta(hours=rng.uniform(2, 40))
        if done_at > ctx.now:
            done = False
        reached = rng.random() < CALLBACK_REACHED
        recovered = CALLBACK_RECOVERED(rng)
        issue = CALLBACK_ISSUES[int(rng.random() * len(CALLBACK_ISSUES))]
        for task in tasks:
            task.created_at = response.submitted_at
            if assignee is not None and task.assigned_to_id is None:
                task.assigned_to_id = assignee
                load[assignee] += 0 if done else 1
            if done:
                task.done_at = done_at.replace(microsecond=0)
                task.outcome = (
                    CallbackTask.Outcome.REACHED if reached else CallbackTask.Outcome.NOT_REACHED
                )
                task.recovered = recovered if reached else None
                task.issue_found = issue if reached else ""
            changed.append(task)
    # One executemany (bulk_update's CASE expressions take seconds for thousands of rows).
    ts = ctx.ts
    qn = connection.ops.quote_name
    columns = ("created_at", "assigned_to_id", "done_at", "outcome", "recovered", "issue_found")
    sql = (
        f"UPDATE {qn(CallbackTask._meta.db_table)} SET "
        + ", ".join(f"{qn(c)} = %s" for c in columns)
        + f" WHERE {qn('id')} = %s"
    )
    rows = [
        (
            ts(t.created_at),
            t.assigned_to_id,
            ts(t.done_at),
            t.outcome,
            t.recovered,
            t.issue_found,
            t.pk,
        )
        for t in changed
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    summary.callbacks = len(changed)


# --- Entry point ----------------------------------------------------------------------------


def generate_surveys(
    *,
    company: Company,
    projects: list[ProjectSpec],
    reference: dt.date,
    now: dt.datetime,
    progress: Callable[[str, int, int], None] | None = None,
    scale: float = 1.0,
    after_service_scale: float = 1.0,
) -> SurveySummary:
    """Write the surveys of every project (see the module doc). Runs after the work
    orders (the after-service surveys answer closed orders). ``scale`` multiplies the
    chance that an invited household answers a relationship wave (invitations follow
    the product's rule regardless), ``after_service_scale`` the share of after-service
    invitations answered."""
    import time

    started = time.perf_counter()
    notify = progress or (lambda stage, done, total: None)
    now = now.astimezone(UTC).replace(microsecond=0)
    ctx = _Context(company, projects, reference, now, scale, after_service_scale)
    summary = SurveySummary()
    with transaction.atomic():
        ctx.setup(summary)
    live_ids: list[int] = []
    chunk: list[tuple[int, ProjectSpec]] = []

    def write_chunk() -> None:
        with transaction.atomic():
            for _index, spec in chunk:
                live_ids.extend(_ProjectRun(ctx, spec).run(summary))
        for index, _spec in chunk:
            notify("surveys", index + 1, len(projects))
        chunk.clear()

    for index, spec in enumerate(projects):
        chunk.append((index, spec))
        if sum(s.households for _i, s in chunk) >= CHUNK_HOUSEHOLDS:
            write_chunk()
    if chunk:
        write_chunk()
    _analyze()
    with transaction.atomic():
        _close_waves(ctx)
        _quality_checks(ctx, summary)
        _callbacks(ctx, live_ids, summary)
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary
