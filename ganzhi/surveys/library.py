"""The satisfaction indicator library (满意度指标体系): default tree, validation, edits.

The tree is post → SERVQUAL dimension → sub-indicator. Each node's ``weight`` is its
share of its parent; the posts share the library. Every group of siblings must sum
to 1 (within ``WEIGHT_TOLERANCE``; scoring renormalises the stored four-decimal
weights exactly).

A version used by a published questionnaire is locked (``is_locked``): editing it
copies the whole tree into a new version (``version`` + 1, ``based_on`` the edited
one) and changes the copy, so answers already given keep the weights and wordings
their questions pointed at.

``changes`` for :func:`library_edit` maps a node code to what to do with it::

    {
        "cleaning-tangibles-1": {"weight": "0.7", "text": "楼道干净"},   # change
        "cleaning-tangibles-3": {"parent": "cleaning-tangibles",          # add an item
                                 "text": "地库干净", "weight": "0.1"},
        "cleaning-empathy-2": None,                                       # remove (and below)
    }

A new node under a post is a dimension (give ``"dimension"``); under a dimension it is
a sub-indicator; with ``"parent": None`` it is a post (give ``"post"``: a post code).
The parent may itself be added by the same ``changes`` (list it first).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ganzhi.core.errors import DomainError
from ganzhi.core.scoping import scope_for
from ganzhi.core.services import require_perm
from ganzhi.org.models import Company, Post
from ganzhi.surveys import defaults
from ganzhi.surveys.models import Dimension, IndicatorLibrary, IndicatorNode

WEIGHT_TOLERANCE = Decimal("0.0005")
PATH_SEPARATOR = " › "

Level = IndicatorNode.Level
_FOUR_PLACES = Decimal("0.0001")


# --- the default library ---------------------------------------------------------


@transaction.atomic
def library_create_default(*, company: Company, actor=None) -> IndicatorLibrary:
    """Give ``company`` the default indicator library (six posts × five dimensions).

    Creates the posts it names that the company does not have yet (by code). Idempotent:
    when the company already has a library of the default name, its newest version is
    returned unchanged. ``actor`` (optional: set-up scripts pass none) must be allowed to
    add libraries and belong to the company.
    """
    if actor is not None:
        require_perm(actor, "surveys.add_indicatorlibrary")
        _require_company(actor, company.id)
    existing = (
        IndicatorLibrary.objects.filter(company=company, name=defaults.DEFAULT_LIBRARY_NAME)
        .order_by("-version")
        .first()
    )
    if existing is not None:
        return existing
    posts = _ensure_posts(company)
    library = IndicatorLibrary.objects.create(
        company=company,
        name=defaults.DEFAULT_LIBRARY_NAME,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    post_nodes, dimension_nodes, item_nodes = [], [], []
    for p_index, (post_code, (_name, post_weight, dimensions)) in enumerate(
        defaults.DEFAULT_LIBRARY.items()
    ):
        post_node = IndicatorNode(
            library=library,
            level=Level.POST,
            code=post_code,
            post=posts[post_code],
            text=posts[post_code].name,
            weight=post_weight,
            sort_order=p_index,
        )
        post_nodes.append(post_node)
        for d_index, (dimension, (dimension_weight, items)) in enumerate(dimensions.items()):
            dimension_node = IndicatorNode(
                library=library,
                parent=post_node,
                level=Level.DIMENSION,
                code=f"{post_code}-{dimension}",
                post=posts[post_code],
                dimension=dimension,
                text=defaults.DIMENSION_NAMES[dimension],
                weight=dimension_weight,
                sort_order=d_index,
            )
            dimension_nodes.append(dimension_node)
            for i_index, (text, weight) in enumerate(items, start=1):
                item_nodes.append(
                    IndicatorNode(
                        library=library,
                        parent=dimension_node,
                        level=Level.ITEM,
                        code=f"{post_code}-{dimension}-{i_index}",
                        post=posts[post_code],
                        dimension=dimension,
                        text=text,
                        weight=weight,
                        sort_order=i_index - 1,
                    )
                )
    _bulk_create_levels(post_nodes, dimension_nodes, item_nodes)
    return library


def _ensure_posts(company: Company) -> dict[str, Post]:
    posts = {p.code: p for p in Post.objects.filter(company=company)}
    missing = [
        Post(company=company, code=code, name=name, sort_order=index)
        for index, (code, (name, _w, _d)) in enumerate(defaults.DEFAULT_LIBRARY.items())
        if code not in posts
    ]
    for post in Post.objects.bulk_create(missing):
        posts[post.code] = post
    return posts


def _bulk_create_levels(*levels: list[IndicatorNode]) -> None:
    """Insert level by level so each level's parents already have keys."""
    for nodes in levels:
        for node in nodes:
            if node.parent is not None:
                node.parent_id = node.parent.pk
        IndicatorNode.objects.bulk_create(nodes)


# --- validation --------------------------------------------------------------------


def library_validate(library: IndicatorLibrary) -> list[str]:
    """Translated messages naming every parent whose children's weights do not sum to 1
    (± ``WEIGHT_TOLERANCE``) or that has a negative weight below it. Empty: valid.

    A parent is named by its path, e.g. “保洁 › 有形度”; the posts' parent is the library.
    One query.
    """
    nodes = list(IndicatorNode.objects.filter(library=library).order_by("sort_order", "id"))
    return problems_of(library, nodes)


def problems_of(library: IndicatorLibrary, nodes: list[IndicatorNode]) -> list[str]:
    """:func:`library_validate` on nodes already loaded (all of the library's)."""
    by_id = {node.id: node for node in nodes}
    children: dict[int | None, list[IndicatorNode]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    messages: list[str] = []
    parents: list[IndicatorNode | None] = [None]
    parents += [node for node in nodes if node.level != Level.ITEM]
    for parent in parents:
        kids = children.get(parent.id if parent else None, [])
        name = library.name if parent is None else node_path(parent, by_id)
        negative = [kid for kid in kids if kid.weight < 0]
        if negative:
            messages.append(
                _("“%(parent)s”: the weight of “%(child)s” must not be negative.")
                % {"parent": name, "child": negative[0].text}
            )
        total = sum((Decimal(kid.weight) for kid in kids), Decimal(0))
        if abs(total - 1) > WEIGHT_TOLERANCE:
            messages.append(
                _("“%(parent)s”: the weights below it sum to %(total)s, they should sum to 1.")
                % {"parent": name, "total": f"{total.quantize(_FOUR_PLACES)}"}
            )
    return messages


def node_path(node: IndicatorNode, by_id: Mapping[int, IndicatorNode]) -> str:
    """“保洁 › 有形度 › 楼道干净”: the wordings from the post down to ``node``."""
    parts = [node.text]
    parent_id = node.parent_id
    while parent_id is not None and parent_id in by_id:
        parts.append(by_id[parent_id].text)
        parent_id = by_id[parent_id].parent_id
    return PATH_SEPARATOR.join(reversed(parts))


# --- edits -------------------------------------------------------------------------


def library_edit(
    *, actor, library: IndicatorLibrary, changes: Mapping[str, Any]
) -> IndicatorLibrary:
    """Apply ``changes`` (see the module docstring) and return the library they landed in.

    A locked version is first copied into a new version; an unlocked one is edited in
    place. The weights are validated inside the transaction: when any group no longer
    sums to 1 nothing is written and DomainError ``invalid_weights`` (status 422) carries
    the messages of :func:`library_validate` in ``details``. Other bad input answers
    DomainError ``invalid`` (422) with ``details`` per node code.
    """
    require_perm(actor, "surveys.change_indicatorlibrary")
    _require_company(actor, library.company_id)
    if not changes:
        return library  # nothing to do: no new version either
    with transaction.atomic():
        # Lock every version of this library so concurrent edits take turns.
        versions = list(
            IndicatorLibrary.objects.select_for_update()
            .filter(company_id=library.company_id, name=library.name)
            .order_by("version")
        )
        current = next((v for v in versions if v.pk == library.pk), None)
        if current is None:
            raise DomainError("not_found", _("Indicator library not found."), status=404)
        target = current
        if current.is_locked:
            require_perm(actor, "surveys.add_indicatorlibrary")
            target = _copy_version(current, actor=actor, version=versions[-1].version + 1)
        _apply(target, changes)
        problems = library_validate(target)
        if problems:  # leaving the block by the exception rolls everything back
            raise DomainError(
                "invalid_weights",
                _("The weights under some indicators do not sum to 1."),
                details=problems,
                status=422,
            )
    return target


def _copy_version(source: IndicatorLibrary, *, actor, version: int) -> IndicatorLibrary:
    copy = IndicatorLibrary.objects.create(
        company_id=source.company_id,
        name=source.name,
        version=version,
        based_on=source,
        created_by=actor if actor.is_authenticated else None,
    )
    nodes = list(IndicatorNode.objects.filter(library=source).order_by("id"))
    copies: dict[int, IndicatorNode] = {}
    levels: dict[str, list[IndicatorNode]] = {Level.POST: [], Level.DIMENSION: [], Level.ITEM: []}
    for node in nodes:
        new = IndicatorNode(
            library=copy,
            level=node.level,
            code=node.code,
            post_id=node.post_id,
            dimension=node.dimension,
            text=node.text,
            weight=node.weight,
            sort_order=node.sort_order,
        )
        copies[node.id] = new
        levels[node.level].append(new)
    for node in nodes:
        if node.parent_id is not None:
            copies[node.id].parent = copies[node.parent_id]
    _bulk_create_levels(levels[Level.POST], levels[Level.DIMENSION], levels[Level.ITEM])
    return copy


def _apply(library: IndicatorLibrary, changes: Mapping[str, Any]) -> None:
    nodes = {n.code: n for n in IndicatorNode.objects.filter(library=library)}
    errors: dict[str, list[str]] = {}
    to_update: dict[str, IndicatorNode] = {}
    to_add: list[tuple[str, Mapping[str, Any]]] = []
    to_remove: list[IndicatorNode] = []
    for code, change in changes.items():
        node = nodes.get(code)
        if change is None:
            if node is None:
                errors.setdefault(code, []).append(_("There is no indicator with this code."))
            else:
                to_remove.append(node)
            continue
        if not isinstance(change, Mapping):
            errors.setdefault(code, []).append(_("Give the changes as a mapping."))
            continue
        if node is None:
            to_add.append((code, change))
            continue
        unknown = set(change) - {"weight", "text", "sort_order"}
        if unknown:
            errors.setdefault(code, []).append(
                _("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
            )
            continue
        if "weight" in change:
            node.weight = _weight(change["weight"], code, errors)
        if "text" in change:
            node.text = _text(change["text"], code, errors)
        if "sort_order" in change:
            node.sort_order = _sort_order(change["sort_order"], code, errors)
        to_update[code] = node

    new_nodes = []
    for code, change in to_add:
        node = _new_node(library, code, change, nodes, errors)
        if code not in errors:
            nodes[code] = node  # a later addition may hang below it
            new_nodes.append(node)
    if errors:
        raise DomainError(
            "invalid", _("Some indicator changes are not valid."), details=errors, status=422
        )
    if to_update:
        IndicatorNode.objects.bulk_update(to_update.values(), ["weight", "text", "sort_order"])
    for level in (Level.POST, Level.DIMENSION, Level.ITEM):
        batch = [n for n in new_nodes if n.level == level]
        _bulk_create_levels(batch)
    if to_remove:
        try:
            IndicatorNode.objects.filter(pk__in=[n.pk for n in to_remove]).delete()
        except ProtectedError as exc:
            raise DomainError(
                "indicator_in_use",
                _("A questionnaire still asks about this indicator; remove the question first."),
                details=sorted({n.code for n in to_remove}),
                status=409,
            ) from exc


def _new_node(
    library: IndicatorLibrary,
    code: str,
    change: Mapping[str, Any],
    nodes: dict[str, IndicatorNode],
    errors: dict[str, list[str]],
) -> IndicatorNode:
    def fail(message: str) -> IndicatorNode:
        errors.setdefault(code, []).append(message)
        return IndicatorNode(library=library, code=code)

    if slugify(code) != code or len(code) > 60:
        return fail(_("Codes use lower-case letters, digits and hyphens (at most 60)."))
    unknown = set(change) - {"parent", "text", "weight", "sort_order", "dimension", "post"}
    if unknown:
        return fail(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if "parent" not in change:
        return fail(_("There is no indicator with this code; to add one, name its parent."))
    node = IndicatorNode(
        library=library,
        code=code,
        text=_text(change.get("text", ""), code, errors),
        weight=_weight(change.get("weight"), code, errors),
        sort_order=_sort_order(change.get("sort_order", 0), code, errors),
    )
    parent_code = change["parent"]
    if parent_code is None:
        post = Post.objects.filter(company_id=library.company_id, code=change.get("post")).first()
        if post is None:
            return fail(_("Name the post of a new top-level indicator by its code."))
        node.level, node.post = Level.POST, post
        return node
    parent = nodes.get(parent_code)
    if parent is None or parent.level == Level.ITEM:
        return fail(_("The parent must be a post or a dimension of this library."))
    node.parent, node.post_id = parent, parent.post_id
    if parent.level == Level.POST:
        dimension = change.get("dimension")
        if dimension not in Dimension.values:
            return fail(_("Choose one of the five SERVQUAL dimensions."))
        node.level, node.dimension = Level.DIMENSION, dimension
    else:
        node.level, node.dimension = Level.ITEM, parent.dimension
    return node


def _weight(value: Any, code: str, errors: dict[str, list[str]]) -> Decimal:
    try:
        weight = Decimal(str(value))
    except (InvalidOperation, ValueError):
        weight = Decimal("NaN")
    if not weight.is_finite() or weight < 0 or weight > 1:
        errors.setdefault(code, []).append(_("A weight is a number from 0 to 1."))
        return Decimal(0)
    if weight != weight.quantize(_FOUR_PLACES):
        errors.setdefault(code, []).append(_("A weight has at most four decimal places."))
        return Decimal(0)
    return weight.quantize(_FOUR_PLACES)


def _text(value: Any, code: str, errors: dict[str, list[str]]) -> str:
    text = str(value or "").strip()
    if not text or len(text) > 200:
        errors.setdefault(code, []).append(
            _("The wording must not be empty or longer than %(n)d characters.") % {"n": 200}
        )
    return text


def _sort_order(value: Any, code: str, errors: dict[str, list[str]]) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number <= 32767:
        errors.setdefault(code, []).append(_("The order is a whole number from 0."))
        return 0
    return number


def _require_company(actor, company_id: int) -> None:
    scope = scope_for(actor)
    if not scope.everything and scope.company_id != company_id:
        raise DomainError("not_found", _("Indicator library not found."), status=404)


def next_version_number(library: IndicatorLibrary) -> int:
    """The version number an edit of the locked ``library`` would create."""
    latest = IndicatorLibrary.objects.filter(
        company_id=library.company_id, name=library.name
    ).aggregate(latest=Max("version"))["latest"]
    return (latest or library.version) + 1
