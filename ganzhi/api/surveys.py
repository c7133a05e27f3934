"""Survey endpoints: scores of an org unit, the indicator libraries, questionnaires."""

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from ganzhi.api.common import get_object
from ganzhi.core.services import require_perm
from ganzhi.surveys import scoring, selectors
from ganzhi.surveys.models import Dimension, IndicatorLibrary, Questionnaire

router = Router(tags=["surveys"])


# --- scores ----------------------------------------------------------------------------


class Interval(Schema):
    value: float | None
    ci_low: float | None
    ci_high: float | None


class ScoresOut(Schema):
    n: int
    index: float | None
    nps: Interval
    satisfied_share: Interval
    suppressed: bool


class ScoresQuery(Schema):
    org: UUID = Field(description="public id of a company, region or project")
    period: str = Field(description="2026, 2026-Q3 or 2026-07", max_length=20)
    post: str = Field("", description="post code or public id", max_length=60)
    dimension: Dimension | None = None


@router.get("/scores", response=ScoresOut)
def get_scores(request, query: ScoresQuery = Query(...)):
    """Satisfaction index (0–100), NPS (points) and satisfied share (0–1), each with its
    95 % interval; values are null when fewer than GANZHI_MIN_SAMPLE responses back them."""
    result = scoring.scores_for(
        user=request.user,
        org=query.org,
        period=query.period,
        post=query.post,
        dimension=query.dimension or "",
    )
    return result.as_api()


# --- indicator libraries ---------------------------------------------------------------


class LibraryOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    version: int
    based_on: UUID | None
    is_locked: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_based_on(obj):
        return obj.based_on.public_id if obj.based_on_id else None


class NodeOut(Schema):
    code: str
    level: str
    text: str
    weight: Decimal
    post: str | None = None
    dimension: str | None = None
    children: list["NodeOut"] = []


class LibraryDetailOut(LibraryOut):
    valid: bool
    problems: list[str]
    tree: list[NodeOut]

    @staticmethod
    def resolve_valid(obj):
        return not obj.tree.problems

    @staticmethod
    def resolve_problems(obj):
        return obj.tree.problems

    @staticmethod
    def resolve_tree(obj):
        return [_node(post) for post in obj.tree.posts]


def _node(item: selectors.TreeNode) -> dict[str, Any]:
    node = item.node
    return {
        "code": node.code,
        "level": node.level,
        "text": node.text,
        "weight": node.weight,
        "post": node.post.code if node.post_id else None,
        "dimension": node.dimension or None,
        "children": [_node(child) for child in item.children],
    }


@router.get("/libraries", response=list[LibraryOut])
@paginate(PageNumberPagination)
def list_libraries(request):
    require_perm(request.user, "surveys.view_indicatorlibrary")
    return selectors.library_list(user=request.user)


@router.get("/libraries/{library_id}", response=LibraryDetailOut)
def get_library(request, library_id: UUID):
    require_perm(request.user, "surveys.view_indicatorlibrary")
    library = get_object(request, IndicatorLibrary.objects.select_related("based_on"), library_id)
    library.tree = selectors.library_tree(library)
    return library


# --- questionnaires ----------------------------------------------------------------------


class LibraryRef(Schema):
    id: UUID
    name: str
    version: int


class QuestionnaireOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    kind: Questionnaire.Kind
    status: Questionnaire.Status
    library: LibraryRef | None
    allow_anonymous: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_library(obj):
        if obj.library_id is None:
            return None
        return {
            "id": obj.library.public_id,
            "name": obj.library.name,
            "version": obj.library.version,
        }


class QuestionOut(Schema):
    code: str
    type: str
    role: str
    text: str
    help_text: str
    indicator: str | None
    scale_min: int
    scale_max: int
    options: list[dict[str, Any]]
    required: bool
    show_if: dict[str, Any]

    @staticmethod
    def resolve_indicator(obj):
        return obj.indicator.code if obj.indicator_id else None


class QuestionnaireDetailOut(QuestionnaireOut):
    intro: str
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj):
        return selectors.questionnaire_questions(obj)


class QuestionnaireFilter(Schema):
    status: Questionnaire.Status | None = None
    kind: Questionnaire.Kind | None = None


@router.get("/questionnaires", response=list[QuestionnaireOut])
@paginate(PageNumberPagination)
def list_questionnaires(request, filters: QuestionnaireFilter = Query(...)):
    require_perm(request.user, "surveys.view_questionnaire")
    questionnaires = selectors.questionnaire_list(user=request.user)
    if filters.status:
        questionnaires = questionnaires.filter(status=filters.status)
    if filters.kind:
        questionnaires = questionnaires.filter(kind=filters.kind)
    return questionnaires


@router.get("/questionnaires/{questionnaire_id}", response=QuestionnaireDetailOut)
def get_questionnaire(request, questionnaire_id: UUID):
    require_perm(request.user, "surveys.view_questionnaire")
    return get_object(request, Questionnaire.objects.select_related("library"), questionnaire_id)
