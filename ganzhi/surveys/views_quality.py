"""The quality lead's page: flagged responses with their reasons, restore or exclude."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ganzhi.core.errors import DomainError
from ganzhi.core.forms import Form
from ganzhi.core.paging import paginate
from ganzhi.core.scoping import get_visible_or_404, visible
from ganzhi.org.models import Project
from ganzhi.surveys import quality
from ganzhi.surveys.models import QualityReview, Response

review_required = permission_required("surveys.review_response", raise_exception=True)

FLAG_LABELS = {
    quality.SPEEDER: gettext_lazy("Too fast"),
    quality.STRAIGHT_LINER: gettext_lazy("Same score everywhere"),
    quality.DUPLICATE_DEVICE: gettext_lazy("Same device or address"),
    quality.STAFF_PHONE: gettext_lazy("Staff phone"),
    quality.STAFF_ACCOUNT: gettext_lazy("Staff account"),
}


class QualityFilterForm(Form):
    STATUS = [
        ("", gettext_lazy("Flagged or reviewed")),
        ("excluded", gettext_lazy("Excluded")),
        ("restored", gettext_lazy("Counted (restored)")),
        ("unreviewed", gettext_lazy("Not reviewed yet")),
    ]
    project = forms.ModelChoiceField(
        label=gettext_lazy("Project"),
        queryset=Project.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=gettext_lazy("All projects"),
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=STATUS, required=False)
    flag = forms.ChoiceField(
        label=gettext_lazy("Flag"),
        choices=[("", gettext_lazy("Any flag")), *FLAG_LABELS.items()],
        required=False,
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["project"].queryset = visible(Project.objects.all(), user)

    def value(self, name):
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get(name) or ""
        return ""


class ReviewForm(Form):
    action = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (QualityReview.Action.RESTORE, gettext_lazy("Restore: count it")),
            (QualityReview.Action.EXCLUDE, gettext_lazy("Exclude from scores")),
        ],
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


def _rows(page):
    reviews: dict[int, QualityReview] = {}
    for review in (
        QualityReview.objects.filter(response__in=[r.pk for r in page])
        .select_related("by")
        .order_by("at", "id")
    ):
        reviews[review.response_id] = review
    rows = []
    for response in page:
        rows.append(
            {
                "response": response,
                "flags": [
                    {
                        "code": f.get("code"),
                        "label": FLAG_LABELS.get(f.get("code"), f.get("code")),
                        "reason": quality.describe_flag(f),
                    }
                    for f in response.quality_flags or []
                ],
                "review": reviews.get(response.pk),
                "where": _where(response),
            }
        )
    return rows


def _where(response: Response) -> str:
    """The unit of a named answer; nothing that narrows an anonymous one."""
    if response.is_anonymous or response.household_id is None:
        return ""
    unit = response.household.unit
    return unit.label if unit else ""


@login_required
@review_required
def review_list(request):
    form = QualityFilterForm(request.GET or None, user=request.user)
    responses = quality.flagged_responses(
        user=request.user,
        project=form.value("project") or None,
        status=form.value("status"),
        flag=form.value("flag"),
    )
    page = paginate(request, responses)
    return render(
        request,
        "surveys/quality_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": _rows(page.object_list),
            "review_form": ReviewForm(),
            "excluded_count": responses.filter(excluded=True).count(),
        },
    )


@require_POST
@login_required
@review_required
def review(request, public_id):
    response = get_visible_or_404(
        Response.objects.select_related("project"), request.user, public_id=public_id
    )
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision and give the reason."))
    else:
        try:
            quality.response_review(
                actor=request.user,
                response=response,
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "surveys:quality_list")
