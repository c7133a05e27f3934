from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from ganzhi.core.paging import paginate
from ganzhi.core.scoping import get_visible_or_404, visible
from ganzhi.org import selectors
from ganzhi.org.forms import ProjectFilterForm, UnitFilterForm
from ganzhi.org.models import Project, Staff, Unit


@login_required
@permission_required("org.view_project", raise_exception=True)
def project_list(request):
    form = ProjectFilterForm(request.GET or None, user=request.user)
    projects = selectors.project_list(
        user=request.user, q=form.value("q"), region=form.value("region")
    )
    page = paginate(request, projects)
    counts = selectors.unit_counts([p.id for p in page])
    rows = [(project, counts.get(project.id, {})) for project in page]
    return render(request, "org/project_list.html", {"form": form, "page_obj": page, "rows": rows})


@login_required
@permission_required("org.view_project", raise_exception=True)
def project_detail(request, public_id):
    project = get_visible_or_404(
        Project.objects.select_related("region"), request.user, public_id=public_id
    )
    buildings = project.buildings.order_by("name")
    counts = selectors.building_unit_counts(project)
    staff = visible(Staff.objects.filter(projects=project, is_active=True), request.user)
    context = {
        "project": project,
        "buildings": [(b, counts.get(b.id, {})) for b in buildings],
        "totals": selectors.unit_counts([project.id]).get(project.id, {}),
        "staff_by_post": selectors.staff_by_post(staff),
        "can_see_staff": request.user.has_perm("org.view_staff"),
    }
    return render(request, "org/project_detail.html", context)


@login_required
@permission_required("org.view_unit", raise_exception=True)
def unit_list(request):
    form = UnitFilterForm(request.GET or None, user=request.user)
    units = selectors.unit_list(
        user=request.user,
        project=form.value("project"),
        building=form.value("building"),
        status=form.value("status"),
        q=form.value("q"),
    )
    page = paginate(request, units)
    return render(request, "org/unit_list.html", {"form": form, "page_obj": page})


@login_required
@permission_required("org.view_unit", raise_exception=True)
def unit_detail(request, public_id):
    unit = get_visible_or_404(
        Unit.objects.select_related("building", "project"), request.user, public_id=public_id
    )
    from ganzhi.owners.selectors import unit_households

    return render(
        request,
        "org/unit_detail.html",
        {"unit": unit, "households": unit_households(user=request.user, unit=unit)},
    )
