"""Staff pages for the indicator library, questionnaires and scores.

Campaigns, answering, imports, quality and call-backs have their own view modules.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ganzhi.core.errors import DomainError
from ganzhi.core.forms import Form
from ganzhi.core.paging import paginate
from ganzhi.core.periods import current_period_label
from ganzhi.core.scoping import get_visible_or_404, scope_for, visible
from ganzhi.org.models import Post
from ganzhi.surveys import defaults, library, questionnaires, scoring, selectors
from ganzhi.surveys.models import (
    Dimension,
    IndicatorLibrary,
    IndicatorNode,
    Question,
    Questionnaire,
)

library_view_required = permission_required("surveys.view_indicatorlibrary", raise_exception=True)
questionnaire_view_required = permission_required(
    "surveys.view_questionnaire", raise_exception=True
)
scores_view_required = permission_required(scoring.SCORES_PERMISSION, raise_exception=True)


# --- indicator library ---------------------------------------------------------------------


@login_required
@library_view_required
def library_list(request):
    libraries = selectors.library_list(user=request.user)
    has_default = libraries.filter(name=defaults.DEFAULT_LIBRARY_NAME).exists()
    context = {
        "page_obj": paginate(request, libraries),
        "can_create_default": request.user.has_perm("surveys.add_indicatorlibrary")
        and not has_default
        and scope_for(request.user).company_id is not None,
    }
    return render(request, "surveys/library_list.html", context)


@require_POST
@login_required
@permission_required("surveys.add_indicatorlibrary", raise_exception=True)
def library_create_default(request):
    company = request.user.company
    if company is None:
        messages.error(request, _("Operators have no company to create a library for."))
        return redirect("surveys:library_list")
    created = library.library_create_default(company=company, actor=request.user)
    messages.success(request, _("The default indicator library is ready."))
    return redirect("surveys:library_detail", public_id=created.public_id)


def _library(request, public_id) -> IndicatorLibrary:
    return get_visible_or_404(
        IndicatorLibrary.objects.select_related("based_on", "created_by"),
        request.user,
        public_id=public_id,
    )


@login_required
@library_view_required
def library_detail(request, public_id):
    lib = _library(request, public_id)
    tree = selectors.library_tree(lib)
    context = {
        "library": lib,
        "tree": tree,
        "versions": visible(IndicatorLibrary.objects.all(), request.user)
        .filter(name=lib.name)
        .order_by("-version"),
        "questionnaires": lib.questionnaires.order_by("-created_at")[:20],
        "can_edit": request.user.has_perm("surveys.change_indicatorlibrary"),
    }
    return render(request, "surveys/library_detail.html", context)


class LibraryEditForm(Form):
    """One wording and one weight field per node of the tree."""

    def __init__(self, data=None, *, tree: selectors.LibraryTree):
        super().__init__(data)
        self.tree = tree
        for item in tree.nodes():
            node = item.node
            self.fields[f"text-{node.code}"] = forms.CharField(
                label=_("Wording"), max_length=200, initial=node.text
            )
            self.fields[f"weight-{node.code}"] = forms.DecimalField(
                label=_("Weight"),
                min_value=0,
                max_value=1,
                max_digits=6,
                decimal_places=4,
                initial=node.weight,
            )

    def rows(self):
        """(depth, node, wording field, weight field) in tree order."""
        depth = {
            IndicatorNode.Level.POST: 0,
            IndicatorNode.Level.DIMENSION: 1,
            IndicatorNode.Level.ITEM: 2,
        }
        for item in self.tree.nodes():
            code = item.node.code
            yield (
                depth.get(item.node.level, 0),
                item.node,
                self[f"text-{code}"],
                self[f"weight-{code}"],
            )

    def changes(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for item in self.tree.nodes():
            node = item.node
            change = {}
            text = self.cleaned_data[f"text-{node.code}"].strip()
            weight = self.cleaned_data[f"weight-{node.code}"]
            if text != node.text:
                change["text"] = text
            if Decimal(weight) != Decimal(node.weight):
                change["weight"] = str(weight)
            if change:
                out[node.code] = change
        return out


@login_required
@permission_required("surveys.change_indicatorlibrary", raise_exception=True)
def library_edit(request, public_id):
    lib = _library(request, public_id)
    tree = selectors.library_tree(lib)
    form = LibraryEditForm(request.POST or None, tree=tree)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, _("Nothing changed."))
            return redirect("surveys:library_detail", public_id=lib.public_id)
        try:
            saved = library.library_edit(actor=request.user, library=lib, changes=changes)
        except DomainError as exc:
            if exc.code == "invalid_weights":
                problems = list(exc.details or [])
            else:
                form.add_error(None, exc.message)
        else:
            if saved.pk != lib.pk:
                messages.success(
                    request,
                    _("Version %(old)d is in use, so your changes were saved as version %(new)d.")
                    % {"old": lib.version, "new": saved.version},
                )
            else:
                messages.success(request, _("Saved."))
            return redirect("surveys:library_detail", public_id=saved.public_id)
    context = {
        "library": lib,
        "form": form,
        "problems": problems or (tree.problems if request.method != "POST" else []),
        "next_version": library.next_version_number(lib) if lib.is_locked else None,
    }
    return render(request, "surveys/library_edit.html", context)


# --- questionnaires ---------------------------------------------------------------------


class QuestionnaireForm(Form):
    library = forms.ModelChoiceField(
        label=gettext_lazy("Indicator library version"),
        queryset=IndicatorLibrary.objects.none(),
        to_field_name="public_id",
    )
    name = forms.CharField(label=gettext_lazy("Questionnaire name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Questionnaire.Kind.choices)
    posts = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Posts asked about"),
        queryset=Post.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every post of the library."),
    )
    scale = forms.TypedChoiceField(
        label=gettext_lazy("Rating scale"),
        coerce=int,
        choices=[(5, "1–5"), (7, "1–7"), (10, "1–10")],
        initial=5,
    )
    include_expectations = forms.BooleanField(
        label=gettext_lazy("Also ask what owners expected (SERVQUAL gap)"), required=False
    )

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.fields["library"].queryset = visible(IndicatorLibrary.objects.all(), user).order_by(
            "name", "-version"
        )
        self.fields["posts"].queryset = visible(Post.objects.all(), user).order_by(
            "sort_order", "name"
        )


@login_required
@questionnaire_view_required
def questionnaire_list(request):
    context = {
        "page_obj": paginate(request, selectors.questionnaire_list(user=request.user)),
        "can_add": request.user.has_perm("surveys.add_questionnaire"),
    }
    return render(request, "surveys/questionnaire_list.html", context)


@login_required
@permission_required("surveys.add_questionnaire", raise_exception=True)
def questionnaire_create(request):
    form = QuestionnaireForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = questionnaires.questionnaire_from_library(
                actor=request.user,
                library=data["library"],
                name=data["name"],
                kind=data["kind"],
                posts=list(data["posts"]) or None,
                scale=data["scale"],
                include_expectations=data["include_expectations"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            details = exc.details or []
            if isinstance(details, dict):
                details = [str(m) for messages_ in details.values() for m in messages_]
            for detail in details:
                form.add_error(None, str(detail))
        else:
            messages.success(request, _("Draft questionnaire created. Check it, then publish."))
            return redirect("surveys:questionnaire_detail", public_id=created.public_id)
    return render(request, "surveys/questionnaire_new.html", {"form": form})


def _questionnaire(request, public_id) -> Questionnaire:
    return get_visible_or_404(
        Questionnaire.objects.select_related("library"), request.user, public_id=public_id
    )


@login_required
@questionnaire_view_required
def questionnaire_detail(request, public_id):
    """Read-only preview: what owners will see, with the conditions of follow-ups."""
    questionnaire = _questionnaire(request, public_id)
    questions = selectors.questionnaire_questions(questionnaire)
    codes = {q.code: q for q in questions}
    rows = [(q, _describe_condition(q.show_if, codes), _scale_points(q)) for q in questions]
    context = {
        "questionnaire": questionnaire,
        "rows": rows,
        "can_publish": questionnaire.status == Questionnaire.Status.DRAFT
        and request.user.has_perm("surveys.change_questionnaire"),
    }
    return render(request, "surveys/questionnaire_detail.html", context)


def _scale_points(question: Question) -> list[int]:
    if (
        question.type
        in (
            Question.Type.RATING,
            Question.Type.RECOMMEND,
            Question.Type.EXPECTATION_PERCEPTION,
        )
        and question.scale_min < question.scale_max <= 10
    ):
        return list(range(question.scale_min, question.scale_max + 1))
    return []


_OPS = {
    "eq": "=",
    "ne": "≠",
    "lt": "<",
    "lte": "≤",
    "gt": ">",
    "gte": "≥",
    "in": "∈",
    "not_in": "∉",
}


def _describe_condition(condition, codes) -> str:
    """A short human reading of ``show_if``: “推荐意愿 ≤ 6”, “any of: …”."""
    if not condition:
        return ""
    if "any" in condition:
        parts = [_describe_condition(c, codes) for c in condition["any"]]
        return _("any of: %(conditions)s") % {"conditions": "; ".join(parts)}
    if "all" in condition:
        parts = [_describe_condition(c, codes) for c in condition["all"]]
        return _("all of: %(conditions)s") % {"conditions": "; ".join(parts)}
    if "not" in condition:
        return _("not (%(condition)s)") % {
            "condition": _describe_condition(condition["not"], codes)
        }
    question = codes.get(condition.get("question"))
    label = question.text if question else str(condition.get("question"))
    if condition.get("op") == "answered":
        return _("“%(question)s” is answered") % {"question": label}
    op = condition.get("op")
    return f"“{label}” {_OPS.get(op, op)} {condition.get('value')}"


@require_POST
@login_required
@permission_required("surveys.change_questionnaire", raise_exception=True)
def questionnaire_publish(request, public_id):
    questionnaire = _questionnaire(request, public_id)
    try:
        questionnaires.questionnaire_publish(actor=request.user, questionnaire=questionnaire)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Published. Its indicator library version is now locked."))
    return redirect("surveys:questionnaire_detail", public_id=questionnaire.public_id)


# --- scores ------------------------------------------------------------------------------


class ScoresForm(Form):
    org = forms.CharField(label=gettext_lazy("Organisation unit"), required=False)
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=7,
        required=False,
        help_text=gettext_lazy("2026, 2026-Q3 or 2026-07"),
    )
    post = forms.ChoiceField(label=gettext_lazy("Post"), required=False)
    dimension = forms.ChoiceField(
        label=gettext_lazy("Dimension"),
        required=False,
        choices=[("", gettext_lazy("All dimensions")), *Dimension.choices],
    )

    def __init__(self, data, *, units, posts):
        super().__init__(data)
        self.fields["org"].widget = forms.Select(choices=[(u.public_id, u.label) for u in units])
        self.fields["post"].choices = [("", _("All posts"))] + [(p.code, p.name) for p in posts]

    def clean_period(self):
        period = self.cleaned_data["period"] or current_period_label()
        try:
            scoring.parse_period(period)
        except DomainError as exc:
            raise ValidationError(exc.message) from exc
        return period


@login_required
@scores_view_required
def scores(request):
    units = selectors.org_unit_choices(user=request.user)
    posts = selectors.post_choices(user=request.user)
    data = request.GET.copy()
    data.setdefault("period", current_period_label())
    if units:
        data.setdefault("org", units[0].public_id)
    form = ScoresForm(data, units=units, posts=posts)
    result = None
    if form.is_valid() and form.cleaned_data["org"]:
        # Unknown or out-of-scope units answer 404 here, like every other page.
        unit = scoring.resolve_org_unit(request.user, form.cleaned_data["org"])
        try:
            result = scoring.compute_scores(
                unit=unit,
                period=scoring.parse_period(form.cleaned_data["period"]),
                post=scoring.resolve_post(unit, form.cleaned_data["post"]),
                dimension=form.cleaned_data["dimension"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
    labels = dict(Dimension.choices)
    context = {
        "form": form,
        "result": result,
        "dimension_label": labels.get(result.dimension, "") if result else "",
        "gap_dimensions": [
            (labels.get(dim, dim), value) for dim, value in result.gap.dimensions.items()
        ]
        if result and result.gap
        else [],
    }
    return render(request, "surveys/scores_unit.html", context)
