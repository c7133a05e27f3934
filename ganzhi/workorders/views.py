from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ganzhi.core.errors import DomainError
from ganzhi.core.paging import paginate
from ganzhi.core.personal_data import can_see_personal_data
from ganzhi.core.scoping import get_visible_or_404, visible
from ganzhi.owners.advice import advice_for
from ganzhi.workorders import selectors, services, states
from ganzhi.workorders.calendars import calendar_warnings
from ganzhi.workorders.forms import (
    CLEAR_LABELS,
    PREVENTION_LABELS,
    AttachmentForm,
    BulkAssignForm,
    ChecklistForm,
    CommentForm,
    FollowUpForm,
    QueueFilterForm,
    RecoveryForm,
    TransitionForm,
    WorkOrderForm,
)
from ganzhi.workorders.models import Attachment, Kind, State, WorkOrder

# For the live countdowns in the queue (queue.js), in the page's language.
COUNTDOWN_LABELS = {
    "left": gettext_lazy("%(span)s left"),
    "overdue": gettext_lazy("overdue %(span)s"),
    "days": gettext_lazy("%(d)dd %(h)dh"),
    "hours": gettext_lazy("%(h)dh %(m)dm"),
    "minutes": gettext_lazy("%(m)dm"),
}

view_required = permission_required("workorders.view_workorder", raise_exception=True)


@login_required
@view_required
def queue(request):
    form = QueueFilterForm(request.GET or None, user=request.user)
    state = form.value("state")
    breached = {"yes": True, "no": False}.get(form.value("breached"))
    orders = selectors.workorder_queue(
        user=request.user,
        region=form.value("region"),
        project=form.value("project"),
        state="" if state in ("", "all") else state,
        open_only=state == "",
        kind=form.value("kind"),
        post=form.value("post"),
        category=form.value("category"),
        created_in=form.value("period"),
        breached=breached,
        mine=form.value("mine") == "True",
        q=form.value("q"),
    )
    page = paginate(request, orders)
    can_dispatch = request.user.has_perm("workorders.dispatch_workorder")
    context = {
        "form": form,
        "page_obj": page,
        "now": timezone.now(),
        "can_dispatch": can_dispatch,
        "countdown_labels": COUNTDOWN_LABELS,
        "bulk_form": BulkAssignForm(user=request.user) if can_dispatch else None,
        "calendar_warnings": calendar_warnings(company_id=request.user.company_id)
        if request.user.has_perm("workorders.change_businesscalendar")
        else [],
    }
    return render(request, "workorders/queue.html", context)


@login_required
@permission_required("workorders.add_workorder", raise_exception=True)
def create(request):
    form = WorkOrderForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.workorder_create(
                actor=request.user,
                project=data["project"],
                category=data["category"],
                title=data["title"],
                description=data["description"],
                priority=data["priority"] or None,
                channel=data["channel"],
                unit=data["unit"],
                location_note=data["location_note"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Work order %(number)s created.") % {"number": order.number}
            )
            return redirect("workorders:detail", public_id=order.public_id)
    return render(request, "workorders/create.html", {"form": form})


def _order(request, public_id) -> WorkOrder:
    return get_visible_or_404(
        WorkOrder.objects.select_related(
            "project",
            "category",
            "assignee__post",
            "post",
            "unit__building",
            "reporter",
            "household",
            "sla_policy",
        ),
        request.user,
        public_id=public_id,
    )


@login_required
@view_required
def detail(request, public_id):
    order = _order(request, public_id)
    owner = order.reporter or (order.household.members.first() if order.household else None)
    allowed = sorted(states.TRANSITIONS[order.state], key=lambda s: State.values.index(s))
    followup = order.followups.filter(done_at__isnull=True).first()
    context = {
        "order": order,
        "now": timezone.now(),
        "owner": owner,
        "advice": advice_for(owner) if owner else None,
        "full_personal_data": can_see_personal_data(request.user),
        "timeline": selectors.workorder_timeline(order=order),
        "attachments": order.attachments.all(),
        "transitions": [(s, State(s).label) for s in allowed],
        "transition_form": TransitionForm(order=order),
        "comment_form": CommentForm(),
        "attachment_form": AttachmentForm(),
        "followup": followup,
        "followup_form": FollowUpForm() if followup else None,
        "is_complaint": order.kind == Kind.COMPLAINT,
        "checklist_form": ChecklistForm(
            initial={"clear_steps": order.clear_steps, "prevention_marks": order.prevention_marks}
        ),
        "clear_labels": CLEAR_LABELS,
        "prevention_labels": PREVENTION_LABELS,
        "recovery_form": RecoveryForm(),
        "recoveries": order.recoveries.all(),
        "can_dispatch": request.user.has_perm("workorders.dispatch_workorder"),
        "can_handle": request.user.has_perm("workorders.change_workorder"),
    }
    return render(request, "workorders/detail.html", context)


def _act(request, public_id, make_form, action):
    """Validate a POSTed action form, run the service, report the outcome, go back.

    ``make_form(order)`` builds the bound form; ``action(order, cleaned_data)`` writes."""
    order = _order(request, public_id)
    form = make_form(order)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, errors or _("Please check the form."))
    else:
        try:
            with transaction.atomic():
                action(order, form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
    return redirect("workorders:detail", public_id=order.public_id)


@require_POST
@login_required
@view_required
def transition(request, public_id):
    return _act(
        request,
        public_id,
        lambda order: TransitionForm(request.POST, order=order),
        lambda order, data: services.workorder_transition(
            actor=request.user,
            order=order,
            to=data["to"],
            note=data["note"],
            assignee=data["assignee"],
            visible_to_owner=data["visible_to_owner"],
        ),
    )


@require_POST
@login_required
@view_required
def comment(request, public_id):
    return _act(
        request,
        public_id,
        lambda order: CommentForm(request.POST),
        lambda order, data: services.workorder_comment(
            actor=request.user,
            order=order,
            note=data["note"],
            visible_to_owner=data["visible_to_owner"],
        ),
    )


@require_POST
@login_required
@view_required
def attach(request, public_id):
    return _act(
        request,
        public_id,
        lambda order: AttachmentForm(request.POST, request.FILES),
        lambda order, data: services.workorder_attach(
            actor=request.user,
            order=order,
            upload=data["file"],
        ),
    )


@require_POST
@login_required
@view_required
def followup(request, public_id):
    def record(order, data):
        due = order.followups.filter(done_at__isnull=True).first()
        if due is None:
            raise DomainError("no_followup_due", _("No follow-up call is due for this order."))
        services.followup_record(
            actor=request.user,
            followup=due,
            outcome=data["outcome"],
            rating=data["rating"],
            comment=data["comment"],
        )

    return _act(request, public_id, lambda order: FollowUpForm(request.POST), record)


@require_POST
@login_required
@view_required
def checklist(request, public_id):
    return _act(
        request,
        public_id,
        lambda order: ChecklistForm(request.POST),
        lambda order, data: services.complaint_checklist_update(
            actor=request.user,
            order=order,
            clear_steps=data["clear_steps"],
            prevention_marks=data["prevention_marks"],
        ),
    )


@require_POST
@login_required
@view_required
def recovery(request, public_id):
    return _act(
        request,
        public_id,
        lambda order: RecoveryForm(request.POST),
        lambda order, data: services.service_recovery_record(
            actor=request.user, order=order, **data
        ),
    )


@require_POST
@login_required
@permission_required("workorders.dispatch_workorder", raise_exception=True)
def bulk_assign(request):
    form = BulkAssignForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose the orders and a staff member."))
        return redirect("workorders:queue")
    ids = [i for i in form.cleaned_data["orders"].split(",") if i]
    orders = visible(WorkOrder.objects.filter(public_id__in=ids[:200]), request.user)
    done, refused = 0, []
    for order in orders:
        try:
            services.workorder_transition(
                actor=request.user,
                order=order,
                to=State.DISPATCHED,
                assignee=form.cleaned_data["assignee"],
            )
            done += 1
        except DomainError as exc:
            refused.append(f"{order.number}: {exc.message}")
    if done:
        messages.success(request, _("%(count)d orders dispatched.") % {"count": done})
    for line in refused:
        messages.error(request, line)
    return redirect(request.POST.get("next") or "workorders:queue")


@login_required
@view_required
def attachment(request, public_id, attachment_id):
    from django.http import FileResponse

    order = _order(request, public_id)
    item = Attachment.objects.filter(order=order, public_id=attachment_id).first()
    if item is None:
        from django.http import Http404

        raise Http404
    return FileResponse(
        item.file.open("rb"), content_type=item.content_type, filename=item.original_name
    )


@login_required
@permission_required("workorders.view_followup", raise_exception=True)
def followups(request):
    page = paginate(request, selectors.followups_due(user=request.user))
    return render(request, "workorders/followups.html", {"page_obj": page, "now": timezone.now()})
