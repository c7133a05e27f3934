from django import forms
from django.utils.translation import gettext_lazy as _

from ganzhi.core.errors import DomainError
from ganzhi.core.forms import Form, LongSelect
from ganzhi.core.periods import parse_period
from ganzhi.core.scoping import visible
from ganzhi.org.forms import ScopedFilterForm, scoped_choice
from ganzhi.org.models import Post, Project, Region, Staff, Unit
from ganzhi.workorders.models import (
    Category,
    Channel,
    FollowUp,
    Kind,
    Priority,
    ServiceRecovery,
    State,
)
from ganzhi.workorders.services import CLEAR_STEPS, PREVENTION_MARKS


class QueueFilterForm(ScopedFilterForm):
    region = scoped_choice(Region, _("Region"), _("All regions"))
    project = scoped_choice(Project, _("Project"), _("All projects"))
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Open orders")), ("all", _("All states")), *State.choices],
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *Kind.choices]
    )
    post = scoped_choice(Post, _("Post"), _("All posts"))
    category = scoped_choice(Category, _("Category"), _("All categories"))
    period = forms.CharField(
        label=_("Created in"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"placeholder": "2026 / 2026-Q3 / 2026-07"}),
    )
    breached = forms.ChoiceField(
        label=_("Promise"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Broken")), ("no", _("Kept so far"))],
    )
    mine = forms.BooleanField(label=_("Only mine"), required=False)
    q = forms.CharField(label=_("Number or title"), required=False, max_length=50)

    def clean_period(self) -> str:
        text = self.cleaned_data["period"].strip()
        if text:
            try:
                parse_period(text)
            except DomainError as error:
                raise forms.ValidationError(error.message) from None
        return text


class WorkOrderForm(Form):
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), to_field_name="public_id"
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), to_field_name="public_id"
    )
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=[("", _("Category default")), *Priority.choices],
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        to_field_name="public_id",
        widget=forms.TextInput(attrs={"placeholder": _("unit id (optional)")}),
    )
    location_note = forms.CharField(label=_("Location"), required=False, max_length=100)
    reporter_name = forms.CharField(label=_("Reporter"), required=False, max_length=50)
    reporter_phone = forms.CharField(label=_("Reporter phone"), required=False, max_length=20)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = visible(Project.objects.all(), user)
        self.fields["category"].queryset = visible(Category.objects.filter(is_active=True), user)
        self.fields["unit"].queryset = visible(Unit.objects.all(), user)


class TransitionForm(Form):
    to = forms.ChoiceField(choices=State.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=Staff.objects.none(),
        required=False,
        to_field_name="public_id",
    )
    visible_to_owner = forms.BooleanField(label=_("Tell the owner"), required=False, initial=True)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            Staff.objects.filter(projects=order.project_id, is_active=True)
            .select_related("post")
            .order_by("post__sort_order", "name")
        )
        self.fields["assignee"].label_from_instance = lambda s: (
            f"{s.post.name if s.post else '—'} · {s.name}"
        )


class BulkAssignForm(Form):
    orders = forms.CharField(widget=forms.HiddenInput)
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=Staff.objects.none(),
        to_field_name="public_id",
        widget=LongSelect,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = visible(
            Staff.objects.filter(is_active=True).select_related("post"), user
        )


class CommentForm(Form):
    note = forms.CharField(
        label=_("Progress note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    visible_to_owner = forms.BooleanField(label=_("Show to the owner"), required=False)


class AttachmentForm(Form):
    file = forms.FileField(label=_("Photo or PDF"))


class FollowUpForm(Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUp.Outcome.choices)
    rating = forms.TypedChoiceField(
        label=_("Owner's rating"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *[(i, "★" * i) for i in range(5, 0, -1)]],
    )
    comment = forms.CharField(
        label=_("What the owner said"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


CLEAR_LABELS = {
    "control": _("Control emotions (控制情绪)"),
    "listen": _("Listen (倾听)"),
    "empathy": _("Establish empathy (同理)"),
    "apologize": _("Apologize (致歉)"),
    "resolve": _("Resolve (方案)"),
}
PREVENTION_LABELS = {
    "told_in_advance": _("Told in advance"),
    "followed_throughout": _("Followed up throughout"),
    "kept_promises": _("Kept promises"),
    "sincere": _("Sincere"),
    "adapted_process": _("Adapted the process"),
    "details_right": _("Got the details right"),
}


class ChecklistForm(Form):
    clear_steps = forms.MultipleChoiceField(
        label=_("CLEAR steps"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(k, CLEAR_LABELS[k]) for k in CLEAR_STEPS],
    )
    prevention_marks = forms.MultipleChoiceField(
        label=_("Escalation prevention"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(k, PREVENTION_LABELS[k]) for k in PREVENTION_MARKS],
    )


class RecoveryForm(Form):
    emotional_measures = forms.MultipleChoiceField(
        label=_("Emotional recovery"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=ServiceRecovery.Emotional.choices,
    )
    root_cause = forms.CharField(label=_("Root cause"), required=False, max_length=1000)
    lesson = forms.CharField(label=_("Lesson learned"), required=False, max_length=1000)
    prevention = forms.CharField(label=_("Prevention"), required=False, max_length=1000)
    goodwill = forms.CharField(label=_("Goodwill given"), required=False, max_length=200)
    goodwill_amount = forms.DecimalField(
        label=_("Goodwill value (¥)"), required=False, min_value=0, max_digits=9, decimal_places=2
    )
    recovered = forms.NullBooleanField(label=_("Owner won back"), required=False)
