"""Scores of an org unit over a period: satisfaction index, NPS, satisfied share, gaps.

The maths is ``ganzhi.stats``; this module selects the answers and feeds them in.

*Which responses.* Submitted (``submitted_at`` in the period, local time), not
``excluded``, of a project in the org unit (company, region or project). With a post
and/or dimension filter: the responses that scored at least one sub-indicator of that
post/dimension, plus — post filter — the after-service responses attributed to the
post (``Response.post``). ``n`` counts them.

*Satisfaction index (0–100).* Each answered sub-indicator is rescaled to 0–100
(``indices.to_100`` on its question's scale; for an expectation/perception pair the
perception). Per respondent, ``indices.weighted_index`` combines them up the tree of
the library version the question belongs to, with that version's weights (a missing
item's siblings share its weight). The tree is pruned to the post/dimension filter and
every group of stored four-decimal weights is renormalised to sum exactly to 1. The
respondents' indices are averaged with ``Response.weight`` by ``indices.weighted_mean``
(t interval). The post breakdown is each post node's value; the dimension breakdown
combines a dimension's values over the posts with the posts' weights.

*NPS* from the 0–10 answers of the ``recommend`` question (``nps.nps``, adjusted-Wald
95 % interval); *satisfied share*: overall-satisfaction answers at or above 75 on the
0–100 rescale — 4–5 on a 1–5 scale, 8–10 on 1–10 — with a Wilson interval
(``rates.rate``). Both count respondents, unweighted. *SERVQUAL gap* P − E per item
and dimension (``servqual.servqual``) where expectation/perception pairs exist, in
scale points (0–100 points when the pairs use different scales).

Every figure carries its own ``n``; below ``settings.GANZHI_MIN_SAMPLE`` it is
suppressed (value None, "样本不足"). Queries: a fixed handful whatever the number of
responses — one for the count, one for all answers joined with their questions, one for
the indicator trees.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

import numpy as np
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _

from ganzhi.core.errors import DomainError
from ganzhi.core.periods import Period, parse_period
from ganzhi.core.scoping import scope_for, visible
from ganzhi.core.services import require_perm
from ganzhi.org.models import Company, Post, Project, Region
from ganzhi.stats import indices, nps, rates, servqual
from ganzhi.stats.errors import StatsError
from ganzhi.surveys.models import Answer, Dimension, IndicatorNode, Question, Response

SATISFIED_FROM = 75.0  # on the 0–100 rescale: 4 of 1–5, 8 of 1–10, 6 of 1–7
SCORES_PERMISSION = "surveys.view_response"
_ROOT = "root"
_DIMS = "dims"


# --- org unit ----------------------------------------------------------------------


@dataclass(frozen=True)
class OrgUnit:
    """A company, region or project the scores are for, with the filter it implies."""

    kind: str  # "company" | "region" | "project"
    obj: Company | Region | Project
    company_id: int

    @property
    def name(self) -> str:
        return str(self.obj)

    @property
    def public_id(self) -> UUID:
        return self.obj.public_id

    def narrow(self, queryset):
        """Rows of ``queryset`` (a model with ``company`` and ``project``) in this unit."""
        queryset = queryset.filter(company_id=self.company_id)
        if self.kind == "region":
            return queryset.filter(project__region_id=self.obj.pk)
        if self.kind == "project":
            return queryset.filter(project_id=self.obj.pk)
        return queryset

    def responses(self):
        return self.narrow(Response.objects.all())


def resolve_org_unit(user, public_id: str | UUID) -> OrgUnit:
    """The company, region or project with this public id, if ``user`` may see all of it.

    A region or company counts as visible only when every project in it is in the user's
    scope (a project manager does not see the scores of their whole region). Unknown,
    malformed or out of scope: Http404.
    """
    try:
        key = public_id if isinstance(public_id, UUID) else UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    scope = scope_for(user)
    project = (
        visible(Project.objects.select_related("region", "company"), user)
        .filter(public_id=key)
        .first()
    )
    if project is not None:
        return OrgUnit("project", project, project.company_id)
    region = visible(Region.objects.select_related("company"), user).filter(public_id=key).first()
    if region is not None:
        if not scope.is_company_wide:
            in_region = set(Project.objects.filter(region=region).values_list("id", flat=True))
            if scope.household_ids is not None or not in_region <= (scope.project_ids or set()):
                raise Http404
        return OrgUnit("region", region, region.company_id)
    company = visible(Company.objects.all(), user).filter(public_id=key).first()
    if company is not None and scope.is_company_wide:
        return OrgUnit("company", company, company.id)
    raise Http404


def resolve_post(unit: OrgUnit, value: str) -> Post | None:
    """A post of the unit's company by code or public id; empty → None; unknown → 422."""
    value = (value or "").strip()
    if not value:
        return None
    lookup = Q(code=value)
    with contextlib.suppress(ValueError):
        lookup |= Q(public_id=UUID(value))
    post = Post.objects.filter(lookup, company_id=unit.company_id).first()
    if post is None:
        raise DomainError(
            "invalid_post",
            _("There is no such post."),
            details={"post": [value]},
            status=422,
        )
    return post


def check_dimension(value: str) -> str:
    value = (value or "").strip()
    if value and value not in Dimension.values:
        raise DomainError(
            "invalid_dimension",
            _("Choose one of the five SERVQUAL dimensions."),
            details={"dimension": [value]},
            status=422,
        )
    return value


# --- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure with its sample size; ``value`` etc. are None when suppressed."""

    n: int
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    suppressed: bool = True

    def as_dict(self) -> dict[str, float | None]:
        return {"value": self.value, "ci_low": self.ci_low, "ci_high": self.ci_high}


@dataclass(frozen=True)
class BreakdownRow:
    key: str  # post code or dimension value
    label: str
    index: Figure


@dataclass(frozen=True)
class GapItem:
    code: str
    text: str
    dimension: str
    n: int
    mean_gap: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool

    @property
    def dimension_label(self) -> str:
        return str(dict(Dimension.choices).get(self.dimension, self.dimension))


@dataclass(frozen=True)
class Gap:
    """SERVQUAL P − E: per item, per dimension (mean of its items) and overall."""

    n: int
    suppressed: bool
    points_100: bool  # True: rescaled to 0–100 because the pairs used different scales
    score: float | None = None
    dimensions: dict[str, float] = field(default_factory=dict)
    items: list[GapItem] = field(default_factory=list)


@dataclass(frozen=True)
class Scores:
    unit: OrgUnit
    period: Period
    post: Post | None
    dimension: str
    min_sample: int
    n: int
    suppressed: bool
    index: Figure
    nps: Figure
    satisfied_share: Figure
    gap: Gap | None
    by_post: list[BreakdownRow]
    by_dimension: list[BreakdownRow]

    def as_api(self) -> dict:
        """The ``GET /api/v1/scores`` body."""
        return {
            "n": self.n,
            "index": self.index.value,
            "nps": self.nps.as_dict(),
            "satisfied_share": self.satisfied_share.as_dict(),
            "suppressed": self.suppressed,
        }


def min_sample() -> int:
    return int(getattr(settings, "GANZHI_MIN_SAMPLE", 30))


# --- entry points ----------------------------------------------------------------------


def scores_for(
    *, user, org: str | UUID, period: str, post: str = "", dimension: str = ""
) -> Scores:
    """Scores for a user: permission (403), period (422), org unit (404), post and
    dimension (422) checked in that order."""
    require_perm(user, SCORES_PERMISSION)
    parsed = parse_period(period)
    dimension = check_dimension(dimension)
    unit = resolve_org_unit(user, org)
    return compute_scores(
        unit=unit, period=parsed, post=resolve_post(unit, post), dimension=dimension
    )


def compute_scores(
    *, unit: OrgUnit, period: Period, post: Post | None = None, dimension: str = ""
) -> Scores:
    """The figures for an already resolved unit (no permission checks)."""
    minimum = min_sample()
    responses = unit.responses().filter(
        submitted_at__gte=period.start, submitted_at__lt=period.end, excluded=False
    )
    item_filter = Q()
    if post is not None:
        item_filter &= Q(question__indicator__post_id=post.pk)
    if dimension:
        item_filter &= Q(question__indicator__dimension=dimension)
    if post is not None or dimension:
        rated = Answer.objects.filter(
            item_filter,
            response=OuterRef("pk"),
            question__indicator__level=IndicatorNode.Level.ITEM,
        )
        about = Q(Exists(rated))
        if post is not None:
            about |= Q(post_id=post.pk)
        responses = responses.filter(about)

    n = responses.count()
    rows = list(
        Answer.objects.filter(response__in=responses.values("pk"), number__isnull=False)
        .filter(
            Q(item_filter, question__indicator__level=IndicatorNode.Level.ITEM)
            | Q(question__role__in=[Question.Role.OVERALL, Question.Role.RECOMMEND])
        )
        .values_list(
            "response_id",
            "response__weight",
            "question__type",
            "question__role",
            "question__scale_min",
            "question__scale_max",
            "question__indicator_id",
            "question__indicator__library_id",
            "number",
            "expectation",
        )
        .order_by("response_id", "question__sort_order", "question_id")
    )
    item_rows = [r for r in rows if r[6] is not None and not r[3]]
    trees = _Trees.load({r[7] for r in item_rows}, post=post, dimension=dimension)
    index, by_post, by_dimension = _index(item_rows, trees, minimum)
    return Scores(
        unit=unit,
        period=period,
        post=post,
        dimension=dimension,
        min_sample=minimum,
        n=n,
        suppressed=n < minimum,
        index=index,
        nps=_nps([r for r in rows if r[3] == Question.Role.RECOMMEND], minimum),
        satisfied_share=_satisfied([r for r in rows if r[3] == Question.Role.OVERALL], minimum),
        gap=_gap(item_rows, trees, minimum),
        by_post=by_post,
        by_dimension=by_dimension,
    )


# --- per respondent (for the rollups) ------------------------------------------------


@dataclass
class RespondentScores:
    """What one submitted response contributes to every figure of ``compute_scores``, for
    any post and/or dimension filter: summing these over responses reproduces it.

    ``rated_*`` say which filters the response belongs to (it rated an item there);
    ``pairs`` are its valid SERVQUAL pairs (item node id, post id, dimension, scale min,
    scale max, perception, expectation)."""

    response_id: int
    project_id: int
    submitted_at: dt.datetime
    weight: float
    attributed_post: int | None
    index: float | None = None
    posts: dict[int, float] = field(default_factory=dict)
    dimensions: dict[str, float] = field(default_factory=dict)
    post_dimensions: dict[tuple[int, str], float] = field(default_factory=dict)
    rated_posts: set[int] = field(default_factory=set)
    rated_dimensions: set[str] = field(default_factory=set)
    rated_post_dimensions: set[tuple[int, str]] = field(default_factory=set)
    recommend: float | None = None
    satisfied: bool | None = None
    overall_100: float | None = None
    pairs: list[tuple[int, int | None, str, int, int, float, float]] = field(default_factory=list)


def respondent_scores(responses) -> list[RespondentScores]:
    """Per-respondent values for the given (submitted, not excluded) responses; three
    queries whatever their number."""
    found = {
        r[0]: RespondentScores(*r)
        for r in responses.values_list("id", "project_id", "submitted_at", "weight", "post_id")
    }
    if not found:
        return []
    rows = list(
        Answer.objects.filter(response_id__in=list(found))
        .filter(
            Q(question__indicator__level=IndicatorNode.Level.ITEM)
            | Q(question__role__in=[Question.Role.OVERALL, Question.Role.RECOMMEND])
        )
        .values_list(
            "response_id",
            "response__weight",
            "question__type",
            "question__role",
            "question__scale_min",
            "question__scale_max",
            "question__indicator_id",
            "question__indicator__library_id",
            "number",
            "expectation",
            "question__indicator__level",
            "question__indicator__post_id",
            "question__indicator__dimension",
        )
        .order_by("response_id", "question__sort_order", "question_id")
    )
    for row in rows:
        if row[10] == IndicatorNode.Level.ITEM:
            scores = found[row[0]]
            scores.rated_posts.add(row[11])
            scores.rated_dimensions.add(row[12])
            scores.rated_post_dimensions.add((row[11], row[12]))
    rows = [row for row in rows if row[8] is not None]
    item_rows = [r for r in rows if r[6] is not None and not r[3]]
    trees = _Trees.load({r[7] for r in item_rows}, post=None, dimension="")
    values = _respondent_indices(item_rows, trees)
    for response_id, per_library in values.overall.items():
        found[response_id].index = math.fsum(per_library) / len(per_library)
    for target, grouped in (
        ("posts", values.per_post),
        ("dimensions", values.per_dimension),
        ("post_dimensions", values.per_post_dimension),
    ):
        for key, by_response in grouped.items():
            for response_id, per_library in by_response.items():
                getattr(found[response_id], target)[key] = math.fsum(per_library) / len(per_library)
    for row in _first_per_response([r for r in rows if r[3] == Question.Role.RECOMMEND]):
        if 0 <= row[8] <= 10 and float(row[8]).is_integer():
            found[row[0]].recommend = float(row[8])
    for row in _first_per_response([r for r in rows if r[3] == Question.Role.OVERALL]):
        lo, hi, number = row[4], row[5], row[8]
        if lo < hi and lo <= number <= hi:
            score = float(indices.to_100([number], lo, hi)[0])
            found[row[0]].overall_100 = score
            found[row[0]].satisfied = score >= SATISFIED_FROM
    for r in _valid_pairs(item_rows, trees):
        _code, _text, dim = trees.item_of[r[6]]
        found[r[0]].pairs.append((r[6], r[11], dim, r[4], r[5], float(r[8]), float(r[9])))
    return list(found.values())


# --- index -----------------------------------------------------------------------------


@dataclass
class _Tree:
    """One library version's tree, pruned to the filter, as ``indices.WeightTree``."""

    weights: dict[str, dict[str, float]]
    leaves: list[str]
    posts: dict[str, tuple[int, str, str, int]]  # post node key → (post id, code, name, order)
    post_dims: dict[str, tuple[int, str]]  # dimension node key → (post id, dimension)
    # The same leaves regrouped dimension first: "dims" → "d:<dimension>" → the dimension
    # nodes of every post (with the posts' weights) → items. One weighted_index call on it
    # gives each dimension's value across posts.
    dimension_weights: dict[str, dict[str, float]]


class _Trees:
    def __init__(self) -> None:
        self.by_library: dict[int, _Tree] = {}
        self.item_of: dict[int, tuple[str, str, str]] = {}  # node id → (code, text, dimension)

    @classmethod
    def load(cls, library_ids: Iterable[int], *, post: Post | None, dimension: str) -> _Trees:
        trees = cls()
        library_ids = sorted(library_ids)
        if not library_ids:
            return trees
        nodes = list(
            IndicatorNode.objects.filter(library_id__in=library_ids)
            .values_list(
                "id",
                "library_id",
                "parent_id",
                "level",
                "code",
                "post_id",
                "dimension",
                "text",
                "weight",
                "sort_order",
                "post__code",
                "post__name",
                "post__sort_order",
            )
            .order_by("library_id", "sort_order", "id")
        )
        by_library: dict[int, list[tuple]] = defaultdict(list)
        for node in nodes:
            by_library[node[1]].append(node)
        for library_id, library_nodes in by_library.items():
            tree = _build_tree(library_nodes, post=post, dimension=dimension)
            if tree is not None:
                trees.by_library[library_id] = tree
        for node in nodes:
            if node[3] == IndicatorNode.Level.ITEM:
                trees.item_of[node[0]] = (node[4], node[7], node[6])
        return trees


def _key(node_id: int) -> str:
    return f"n{node_id}"


def _build_tree(nodes: list[tuple], *, post: Post | None, dimension: str) -> _Tree | None:
    """Prune to the items the filter keeps and renormalise each group of weights to 1.

    A group whose kept weights are all zero drops out (it cannot carry any share)."""
    kids_of: dict[str, list[tuple]] = defaultdict(list)
    for node in nodes:
        kids_of[_ROOT if node[2] is None else _key(node[2])].append(node)
    weights: dict[str, dict[str, float]] = {}
    leaves: list[str] = []

    def keep(node: tuple) -> bool:
        if node[3] == IndicatorNode.Level.ITEM:
            return (post is None or node[5] == post.pk) and (not dimension or node[6] == dimension)
        return build(_key(node[0]))

    def build(key: str) -> bool:
        kept = [node for node in kids_of.get(key, []) if keep(node)]
        total = sum((Decimal(node[8]) for node in kept), Decimal(0))
        if not kept or total <= 0:
            return False
        weights[key] = {_key(node[0]): float(Decimal(node[8]) / total) for node in kept}
        leaves.extend(_key(n[0]) for n in kept if n[3] == IndicatorNode.Level.ITEM)
        return True

    if not build(_ROOT):
        return None
    reachable, stack = {_ROOT}, [_ROOT]
    while stack:  # a group that dropped out may have left its built children behind
        for child in weights.get(stack.pop(), {}):
            reachable.add(child)
            stack.append(child)
    weights = {parent: kids for parent, kids in weights.items() if parent in reachable}
    leaves = [leaf for leaf in leaves if leaf in reachable]
    posts = {}
    across: dict[str, dict[str, float]] = defaultdict(dict)  # dimension → {node: post weight}
    for node in nodes:
        key = _key(node[0])
        if node[3] == IndicatorNode.Level.POST and key in weights[_ROOT]:
            posts[key] = (node[5], node[10] or node[4], node[11] or node[7], node[12] or 0)
    post_of = {_key(node[0]): node[5] for node in nodes if node[3] == IndicatorNode.Level.POST}
    post_dims = {}
    for node in nodes:
        key = _key(node[0])
        if node[3] == IndicatorNode.Level.DIMENSION and key in weights:
            post_weight = weights[_ROOT].get(_key(node[2])) if node[2] is not None else None
            if post_weight is not None:
                across[node[6]][key] = post_weight
                post_dims[key] = (post_of[_key(node[2])], node[6])
    dimension_weights: dict[str, dict[str, float]] = {}
    for dim, kids in across.items():
        total = math.fsum(kids.values())
        if total > 0:
            dimension_weights[f"d:{dim}"] = {k: w / total for k, w in kids.items()}
            for k in kids:
                dimension_weights[k] = weights[k]
    dimension_groups = [k for k in dimension_weights if k.startswith("d:")]
    if dimension_groups:
        dimension_weights[_DIMS] = {k: 1 / len(dimension_groups) for k in dimension_groups}
    return _Tree(
        weights=weights,
        leaves=leaves,
        posts=posts,
        post_dims=post_dims,
        dimension_weights=dimension_weights,
    )


@dataclass
class _Indices:
    """Each respondent's index values (one per library version answered, averaged later)."""

    overall: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    per_post: dict[int, dict[int, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    per_dimension: dict[str, dict[int, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    per_post_dimension: dict[tuple[int, str], dict[int, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    weight_of: dict[int, float] = field(default_factory=dict)


def _respondent_indices(rows: list[tuple], trees: _Trees) -> _Indices:
    scores: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    found = _Indices()
    if rows:
        numbers = np.array([r[8] for r in rows], dtype=float)
        rescaled = np.full(len(rows), np.nan)
        scales = np.array([(r[4], r[5]) for r in rows], dtype=float)
        for lo, hi in {(r[4], r[5]) for r in rows}:
            mask = (scales[:, 0] == lo) & (scales[:, 1] == hi)
            values = numbers[mask]
            inside = (values >= lo) & (values <= hi) if lo < hi else np.zeros(values.shape, bool)
            out = np.full(values.shape, np.nan)
            if inside.any():
                out[inside] = indices.to_100(values[inside], lo, hi)
            rescaled[mask] = out  # answers off the scale count as missing
        for row, value in zip(rows, rescaled, strict=True):
            if row[7] in trees.by_library and not math.isnan(value):
                scores[(row[0], row[7])][_key(row[6])] = float(value)
                found.weight_of[row[0]] = float(row[1])

    # Respondents with identical answers get identical indices: evaluate each pattern once.
    memo: dict[tuple, _Evaluated | None] = {}
    for (response_id, library_id), answered in scores.items():
        tree = trees.by_library[library_id]
        pattern = (library_id, *(answered.get(leaf) for leaf in tree.leaves))
        if pattern not in memo:
            memo[pattern] = _evaluate(tree, answered)
        evaluated = memo[pattern]
        if evaluated is None:
            continue  # nothing under the filter answered
        found.overall[response_id].append(evaluated.value)
        for post_id, post_value in evaluated.posts.items():
            found.per_post[post_id][response_id].append(post_value)
        for dim, dim_value in evaluated.dimensions.items():
            found.per_dimension[dim][response_id].append(dim_value)
        for pair, pair_value in evaluated.post_dimensions.items():
            found.per_post_dimension[pair][response_id].append(pair_value)
    return found


def _index(rows: list[tuple], trees: _Trees, minimum: int):
    """Per-respondent indices (whole tree, each post, each dimension), then their means."""
    found = _respondent_indices(rows, trees)
    weight_of = found.weight_of
    post_info: dict[int, tuple[str, str, int]] = {}
    for tree in trees.by_library.values():
        for post_id, code, name, order in tree.posts.values():
            post_info[post_id] = (code, name, order)
    index = _mean_figure(found.overall, weight_of, minimum)
    by_post = [
        BreakdownRow(
            key=post_info[post_id][0],
            label=post_info[post_id][1],
            index=_mean_figure(values, weight_of, minimum),
        )
        for post_id, values in sorted(
            found.per_post.items(), key=lambda item: (post_info[item[0]][2], post_info[item[0]][1])
        )
    ]
    by_dimension = [
        BreakdownRow(
            key=dim.value,
            label=str(dim.label),
            index=_mean_figure(found.per_dimension[dim.value], weight_of, minimum),
        )
        for dim in Dimension
        if dim.value in found.per_dimension
    ]
    return index, by_post, by_dimension


@dataclass(frozen=True)
class _Evaluated:
    value: float
    posts: dict[int, float]
    dimensions: dict[str, float]
    post_dimensions: dict[tuple[int, str], float]


def _evaluate(tree: _Tree, answered: dict[str, float]) -> _Evaluated | None:
    """One respondent's index, per post, per dimension (across posts) and per post and
    dimension; None if nothing scored."""
    leaf_scores = {leaf: answered.get(leaf, math.nan) for leaf in tree.leaves}
    try:
        result = indices.weighted_index(leaf_scores, tree.weights)
    except StatsError:
        return None
    post_values = {
        post_id: result.nodes[key]
        for key, (post_id, _code, _name, _order) in tree.posts.items()
        if result.nodes.get(key) is not None
    }
    post_dimension_values = {
        pair: result.nodes[key]
        for key, pair in tree.post_dims.items()
        if result.nodes.get(key) is not None
    }
    dimension_values: dict[str, float] = {}
    if tree.dimension_weights:
        across = indices.weighted_index(leaf_scores, tree.dimension_weights)
        for key, value in across.nodes.items():
            if key.startswith("d:") and value is not None:
                dimension_values[key[2:]] = value
    return _Evaluated(result.value, post_values, dimension_values, post_dimension_values)


def _mean_figure(
    per_response: dict[int, list[float]], weight_of: dict[int, float], minimum: int
) -> Figure:
    response_ids = sorted(per_response)
    n = len(response_ids)
    if n == 0 or n < minimum:
        return Figure(n=n)
    values = [math.fsum(per_response[r]) / len(per_response[r]) for r in response_ids]
    weights = [weight_of[r] for r in response_ids]
    if n == 1:
        return Figure(n=1, value=values[0], suppressed=False)
    try:
        mean = indices.weighted_mean(values, weights)
    except StatsError:
        return Figure(n=n)
    return Figure(n=n, value=mean.mean, ci_low=mean.ci_low, ci_high=mean.ci_high, suppressed=False)


# --- NPS, satisfied share ------------------------------------------------------------------


def _first_per_response(rows: list[tuple]) -> list[tuple]:
    seen: set[int] = set()
    first = []
    for row in rows:
        if row[0] not in seen:
            seen.add(row[0])
            first.append(row)
    return first


def _nps(rows: list[tuple], minimum: int) -> Figure:
    values = [
        row[8]
        for row in _first_per_response(rows)
        if 0 <= row[8] <= 10 and float(row[8]).is_integer()
    ]
    n = len(values)
    if n == 0 or n < minimum:
        return Figure(n=n)
    result = nps.nps(values)
    return Figure(
        n=n, value=result.nps, ci_low=result.ci_low, ci_high=result.ci_high, suppressed=False
    )


def _satisfied(rows: list[tuple], minimum: int) -> Figure:
    k = n = 0
    for row in _first_per_response(rows):
        lo, hi, number = row[4], row[5], row[8]
        if lo >= hi or not lo <= number <= hi:
            continue
        n += 1
        k += float(indices.to_100([number], lo, hi)[0]) >= SATISFIED_FROM
    if n == 0 or n < minimum:
        return Figure(n=n)
    result = rates.rate(k, n)
    return Figure(
        n=n, value=result.rate, ci_low=result.ci_low, ci_high=result.ci_high, suppressed=False
    )


# --- SERVQUAL gap --------------------------------------------------------------------------


def _valid_pairs(rows: list[tuple], trees: _Trees) -> list[tuple]:
    """Expectation/perception answers with both numbers on the question's scale."""
    return [
        r
        for r in rows
        if r[2] == Question.Type.EXPECTATION_PERCEPTION
        and r[9] is not None
        and r[7] in trees.by_library
        and r[4] < r[5]
        and r[4] <= r[8] <= r[5]
        and r[4] <= r[9] <= r[5]
    ]


def _gap(rows: list[tuple], trees: _Trees, minimum: int) -> Gap | None:
    pairs = _valid_pairs(rows, trees)
    if not pairs:
        return None
    points_100 = len({(r[4], r[5]) for r in pairs}) > 1
    codes: list[str] = []
    meta: dict[str, tuple[str, str]] = {}
    cells: dict[tuple[int, str], tuple[float, float]] = {}
    for r in pairs:
        code, text, dim = trees.item_of[r[6]]
        if code not in meta:
            codes.append(code)
            meta[code] = (text, dim)
        p, e = float(r[8]), float(r[9])
        if points_100:
            p, e = (float(v) for v in indices.to_100([p, e], r[4], r[5]))
        cells[(r[0], code)] = (p, e)
    respondents = sorted({response_id for response_id, _code in cells})
    n = len(respondents)
    counts = {code: sum(1 for (_r, c) in cells if c == code) for code in codes}
    if n < minimum:
        return Gap(n=n, suppressed=True, points_100=points_100)
    kept = [code for code in codes if counts[code] >= max(2, minimum)]
    items = []
    dims: dict[str, float] = {}
    score = None
    by_code: dict[str, servqual.ItemGap] = {}
    if kept:
        row_of = {r: i for i, r in enumerate(respondents)}
        p = np.full((n, len(kept)), np.nan)
        e = np.full((n, len(kept)), np.nan)
        for (response_id, code), (pv, ev) in cells.items():
            if code in kept:
                j = kept.index(code)
                p[row_of[response_id], j] = pv
                e[row_of[response_id], j] = ev
        groups: dict[str, list[str]] = defaultdict(list)
        for code in kept:
            groups[meta[code][1]].append(code)
        result = servqual.servqual(p, e, kept, groups)
        by_code = {gap.item: gap for gap in result.items}
        dims = {d.value: result.dimensions[d.value] for d in Dimension if d.value in groups}
        score = result.score
    for code in codes:
        gap = by_code.get(code)
        items.append(
            GapItem(
                code=code,
                text=meta[code][0],
                dimension=meta[code][1],
                n=counts[code],
                mean_gap=gap.mean_gap if gap else None,
                ci_low=gap.ci_low if gap else None,
                ci_high=gap.ci_high if gap else None,
                suppressed=gap is None,
            )
        )
    return Gap(
        n=n, suppressed=False, points_100=points_100, score=score, dimensions=dims, items=items
    )
