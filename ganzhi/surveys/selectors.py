"""Reads for the indicator library, questionnaires and the scores page, through the scope."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from ganzhi.core.scoping import scope_for, visible
from ganzhi.org.models import Company, Post, Project, Region
from ganzhi.surveys.library import WEIGHT_TOLERANCE, problems_of
from ganzhi.surveys.models import IndicatorLibrary, IndicatorNode, Question, Questionnaire


def library_list(*, user) -> QuerySet[IndicatorLibrary]:
    """Every version of every library of the user's company, newest version first."""
    return (
        visible(IndicatorLibrary.objects.all(), user)
        .select_related("based_on")
        .annotate(questionnaire_count=Count("questionnaires"))
        .order_by("name", "-version")
    )


@dataclass
class TreeNode:
    node: IndicatorNode
    children: list[TreeNode] = field(default_factory=list)

    @property
    def children_total(self) -> Decimal:
        return sum((Decimal(c.node.weight) for c in self.children), Decimal(0))

    @property
    def children_ok(self) -> bool:
        return abs(self.children_total - 1) <= WEIGHT_TOLERANCE

    @property
    def item_count(self) -> int:
        if self.node.level == IndicatorNode.Level.ITEM:
            return 1
        return sum(child.item_count for child in self.children)


@dataclass
class LibraryTree:
    library: IndicatorLibrary
    posts: list[TreeNode]
    problems: list[str]

    @property
    def posts_total(self) -> Decimal:
        return sum((Decimal(p.node.weight) for p in self.posts), Decimal(0))

    def nodes(self) -> list[TreeNode]:
        """Every node, depth first (post, its dimensions, their items, next post …)."""
        out: list[TreeNode] = []

        def walk(items: list[TreeNode]) -> None:
            for item in items:
                out.append(item)
                walk(item.children)

        walk(self.posts)
        return out


def library_tree(library: IndicatorLibrary) -> LibraryTree:
    """The tree in display order with the validation messages (one query)."""
    nodes = list(
        IndicatorNode.objects.filter(library=library)
        .select_related("post")
        .order_by("sort_order", "id")
    )
    wrapped = {node.id: TreeNode(node) for node in nodes}
    posts: list[TreeNode] = []
    for node in nodes:
        if node.parent_id is None:
            posts.append(wrapped[node.id])
        elif node.parent_id in wrapped:
            wrapped[node.parent_id].children.append(wrapped[node.id])
    return LibraryTree(library=library, posts=posts, problems=problems_of(library, nodes))


def questionnaire_list(*, user) -> QuerySet[Questionnaire]:
    return (
        visible(Questionnaire.objects.all(), user)
        .select_related("library")
        .annotate(question_count=Count("questions"))
        .order_by("-created_at", "-id")
    )


def questionnaire_questions(questionnaire: Questionnaire) -> list[Question]:
    return list(
        questionnaire.questions.select_related("indicator__parent", "indicator__post").order_by(
            "sort_order", "id"
        )
    )


@dataclass(frozen=True)
class UnitChoice:
    public_id: str
    label: str
    kind: str


def org_unit_choices(*, user) -> list[UnitChoice]:
    """The company (for company-wide users), the regions whose every project the user
    sees, then the visible projects — what the scores page offers (three queries)."""
    scope = scope_for(user)
    choices: list[UnitChoice] = []
    if scope.is_company_wide:
        for company in visible(Company.objects.all(), user).order_by("name"):
            choices.append(UnitChoice(str(company.public_id), company.name, "company"))
    projects = list(visible(Project.objects.all(), user).order_by("region_id", "name"))
    if scope.household_ids is None:
        regions = list(visible(Region.objects.all(), user).order_by("name"))
        if not scope.is_company_wide:
            everything = defaultdict(set)
            for region_id, project_id in Project.objects.filter(
                region_id__in=[r.id for r in regions]
            ).values_list("region_id", "id"):
                everything[region_id].add(project_id)
            allowed = scope.project_ids or frozenset()
            regions = [r for r in regions if everything[r.id] and everything[r.id] <= allowed]
        for region in regions:
            choices.append(
                UnitChoice(
                    str(region.public_id), _("%(name)s (region)") % {"name": region}, "region"
                )
            )
    for project in projects:
        choices.append(UnitChoice(str(project.public_id), project.name, "project"))
    return choices


def post_choices(*, user) -> list[Post]:
    return list(visible(Post.objects.all(), user).order_by("sort_order", "name"))
