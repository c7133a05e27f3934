"""Owner surveys: the indicator library, questionnaires, campaigns with sampling,
invitations, responses with quality checks, imports and the detractor call-back loop.

Split by concern; every model is importable from ``ganzhi.surveys.models``.
"""

from ganzhi.surveys.models.callbacks import CallbackTask
from ganzhi.surveys.models.campaigns import Campaign, Invitation, Stratum
from ganzhi.surveys.models.imports import ImportMapping, ResponseImport
from ganzhi.surveys.models.library import Dimension, IndicatorLibrary, IndicatorNode
from ganzhi.surveys.models.questionnaires import Question, Questionnaire
from ganzhi.surveys.models.responses import Answer, QualityReview, Response

__all__ = [
    "Answer",
    "CallbackTask",
    "Campaign",
    "Dimension",
    "ImportMapping",
    "IndicatorLibrary",
    "IndicatorNode",
    "Invitation",
    "QualityReview",
    "Question",
    "Questionnaire",
    "Response",
    "ResponseImport",
    "Stratum",
]
