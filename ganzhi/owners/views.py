from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ganzhi.core.errors import DomainError
from ganzhi.core.paging import paginate
from ganzhi.core.personal_data import can_see_personal_data
from ganzhi.core.scoping import get_visible_or_404
from ganzhi.owners import selectors, services
from ganzhi.owners.advice import advice_for
from ganzhi.owners.forms import ImportForm, OwnerFilterForm
from ganzhi.owners.models import ImportJob, Owner

IMPORT_COUNT_LABELS = {
    "buildings": gettext_lazy("buildings"),
    "units": gettext_lazy("units"),
    "households": gettext_lazy("households"),
    "owners": gettext_lazy("owners"),
    "household_members": gettext_lazy("household members"),
    "unit_status": gettext_lazy("unit occupancy"),
}


@login_required
@permission_required("owners.view_owner", raise_exception=True)
def owner_list(request):
    form = OwnerFilterForm(request.GET or None, user=request.user)
    owners = selectors.owner_list(
        user=request.user, q=form.value("q"), project=form.value("project")
    )
    page = paginate(request, owners)
    return render(
        request,
        "owners/owner_list.html",
        {
            "form": form,
            "page_obj": page,
            "full_personal_data": can_see_personal_data(request.user),
        },
    )


@login_required
@permission_required("owners.view_owner", raise_exception=True)
def owner_detail(request, public_id):
    owner = get_visible_or_404(Owner.objects.all(), request.user, public_id=public_id)
    return render(
        request,
        "owners/owner_detail.html",
        {
            "owner": owner,
            "memberships": selectors.owner_detail_memberships(user=request.user, owner=owner),
            "advice": advice_for(owner),
            "full_personal_data": can_see_personal_data(request.user),
        },
    )


@login_required
@permission_required("owners.add_importjob", raise_exception=True)
def import_start(request):
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(
                actor=request.user,
                project=form.cleaned_data["project"],
                upload=form.cleaned_data["file"],
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(
                request, _("The file was received; the import runs in the background.")
            )
            return redirect("owners:import_detail", public_id=job.public_id)
    page = paginate(request, selectors.import_jobs(user=request.user), per_page=10)
    return render(request, "owners/import.html", {"form": form, "page_obj": page})


@login_required
@permission_required("owners.view_importjob", raise_exception=True)
def import_detail(request, public_id):
    job = get_visible_or_404(
        selectors.import_jobs(user=request.user), request.user, public_id=public_id
    )
    template = "owners/import_detail.html"
    if request.htmx:
        template += "#status"
    return render(
        request,
        template,
        {
            "job": job,
            "finished": job.status in (ImportJob.Status.SUCCEEDED, ImportJob.Status.FAILED),
        },
    )
