"""The call-back queue of the staff workbench: detractors and low scores to call, the
outcome of each call, and how many detractors have since moved up."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ganzhi.core.errors import DomainError
from ganzhi.core.forms import Form
from ganzhi.core.paging import paginate
from ganzhi.core.personal_data import can_see_personal_data, mask_phone
from ganzhi.core.scoping import get_visible_or_404, visible
from ganzhi.org.models import Project
from ganzhi.owners.models import HouseholdMember
from ganzhi.surveys import callbacks
from ganzhi.surveys.models import CallbackTask

view_required = permission_required("surveys.view_callbacktask", raise_exception=True)
PERIOD_DAYS = (30, 90, 180, 365)


class CallbackFilterForm(Form):
    project = forms.ModelChoiceField(
        label=gettext_lazy("Project"),
        queryset=Project.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=gettext_lazy("All projects"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("open", gettext_lazy("To call")),
            ("overdue", gettext_lazy("Overdue")),
            ("done", gettext_lazy("Done")),
            ("all", gettext_lazy("All")),
        ],
    )
    days = forms.TypedChoiceField(label=gettext_lazy("Conversion over"), required=False, coerce=int)
    mine = forms.BooleanField(label=gettext_lazy("Only mine"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["project"].queryset = visible(Project.objects.all(), user)
        self.fields["days"].choices = [
            (d, _("last %(days)s days") % {"days": d}) for d in PERIOD_DAYS
        ]
        self.fields["days"].initial = 90

    def value(self, name, default=""):
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get(name) or default
        return default


class OutcomeForm(Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=CallbackTask.Outcome.choices)
    issue_found = forms.CharField(
        label=gettext_lazy("Issue found"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    recovered = forms.NullBooleanField(
        label=gettext_lazy("Recovered (the owner ended the call satisfied)"),
        required=False,
        widget=forms.Select(
            choices=[
                ("unknown", gettext_lazy("—")),
                ("true", gettext_lazy("Yes")),
                ("false", gettext_lazy("No")),
            ]
        ),
    )
    create_workorder = forms.BooleanField(
        label=gettext_lazy("Open a work order for the issue"), required=False
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Work-order category"),
        queryset=None,
        required=False,
        to_field_name="public_id",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from ganzhi.workorders.models import Category

        self.fields["category"].queryset = visible(Category.objects.filter(is_active=True), user)


def _contacts(tasks, *, full: bool) -> dict[int, dict]:
    """household id → the primary contact's name and phone (masked unless allowed)."""
    household_ids = {t.household_id for t in tasks if t.household_id}
    contacts: dict[int, dict] = {}
    members = (
        HouseholdMember.objects.filter(household_id__in=household_ids)
        .select_related("owner")
        .order_by("-is_primary_contact", "id")
    )
    for member in members:
        if member.household_id in contacts:
            continue
        phone = member.owner.phone
        contacts[member.household_id] = {
            "name": member.owner.name,
            "phone": phone if full else mask_phone(phone),
        }
    return contacts


def _percent(rate) -> dict[str, int] | None:
    if rate is None:
        return None
    return {
        "rate": round(rate.rate * 100),
        "low": round(rate.ci_low * 100),
        "high": round(rate.ci_high * 100),
    }


@login_required
@view_required
def queue(request):
    form = CallbackFilterForm(request.GET or None, user=request.user)
    project = form.value("project") or None
    project_id = str(project.public_id) if project else ""
    tasks = callbacks.callback_queue(
        user=request.user,
        project=project_id,
        status=form.value("status", "open"),
        mine=bool(form.value("mine")),
    )
    page = paginate(request, tasks)
    now = timezone.now()
    days = form.value("days", 90)
    conversion = callbacks.detractor_conversion(
        user=request.user, org=project, since=now - dt.timedelta(days=days), until=now
    )
    can_record = request.user.has_perm("surveys.change_callbacktask")
    contacts = _contacts(page.object_list, full=can_see_personal_data(request.user))
    rows = [
        {
            "task": task,
            "overdue": task.done_at is None and task.due_at < now,
            "contact": contacts.get(task.household_id),
        }
        for task in page.object_list
    ]
    return render(
        request,
        "surveys/callback_queue.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "now": now,
            "days": days,
            "conversion": conversion,
            "percent": _percent(conversion.rate),
            "counts": callbacks.callback_counts(user=request.user, project=project_id),
            "can_record": can_record,
            "outcome_form": OutcomeForm(user=request.user) if can_record else None,
        },
    )


@require_POST
@login_required
@permission_required("surveys.change_callbacktask", raise_exception=True)
def record(request, public_id):
    task = get_visible_or_404(CallbackTask.objects.all(), request.user, public_id=public_id)
    form = OutcomeForm(request.POST, user=request.user)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, errors or _("Please check the form."))
    else:
        data = form.cleaned_data
        try:
            done = callbacks.callback_record(
                actor=request.user,
                task=task,
                outcome=data["outcome"],
                issue_found=data["issue_found"],
                create_workorder=data["create_workorder"],
                category=data["category"],
                recovered=data["recovered"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if done.workorder_id:
                messages.success(
                    request,
                    _("Saved. Work order %(number)s was opened.")
                    % {"number": done.workorder.number},
                )
            else:
                messages.success(request, _("Saved."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "surveys:callback_queue")
