"""The owner's phone portal (``/p/``) and the staff QR-place pages (``/p/staff/qr/``).

Public endpoints count every attempt with ``ganzhi.core.ratelimit`` per client
address and per QR token / phone / order; over a limit they answer 429 and write
nothing. Forms validate completely before any write.
"""

import functools
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ganzhi.core import ratelimit
from ganzhi.core.errors import DomainError
from ganzhi.core.paging import paginate
from ganzhi.core.personal_data import mask_phone
from ganzhi.core.roles import Role
from ganzhi.core.scoping import get_visible_or_404, visible
from ganzhi.org.models import Project
from ganzhi.owners.models import HouseholdMember, Owner
from ganzhi.portal import access, selectors, services
from ganzhi.portal.forms import (
    CodeForm,
    OwnerReportForm,
    PhoneForm,
    QRPlaceForm,
    RatingForm,
    ScanReportForm,
)
from ganzhi.workorders.models import QRPlace, WorkOrder
from ganzhi.workorders.services import workorder_rate_by_owner, workorder_urge

# (limit, window in seconds) for each public action.
LIMITS = {
    "post_addr": (60, 3600),  # any public form post, per address
    "report_addr": (10, 3600),  # accepted QR reports, per address
    "report_place": (30, 3600),  # accepted QR reports, per QR code
    "own_report": (20, 3600),  # reports by a logged-in owner, per owner
    "code_phone": (3, 600),  # login codes, per phone
    "code_phone_day": (10, 86400),  # login codes, per phone and day (no SMS bombing)
    "code_addr": (10, 3600),  # login codes, per address
    "verify_addr": (30, 3600),  # code checks, per address (5 per code in access)
    "urge_addr": (30, 3600),
    "urge_order": (6, 3600),
    "rate_addr": (30, 3600),
    "rate_order": (5, 3600),
}
LOGIN_PHONE_SESSION_KEY = "ganzhi_portal_login_phone"
DEMO_CODE_SESSION_KEY = "ganzhi_portal_demo_code"


class _Limited(Exception):
    pass


def _limit(request, name: str, subject: str = "") -> None:
    """Count one event; raise when over the limit."""
    limit, window = LIMITS[name]
    subject = subject or ratelimit.client_address(request)
    if not ratelimit.hit(f"portal:{name}:{subject}", limit=limit, window_seconds=window):
        raise _Limited


def _too_many(request):
    return render(request, "portal/limited.html", _ctx(request), status=429)


def limited(view):
    """Turn an over-the-limit request into the 429 page."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _Limited:
            return _too_many(request)

    return wrapper


def _ctx(request, **extra) -> dict:
    return {"portal_owners": access.portal_owners(request), **extra}


def owner_required(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.portal_owners(request):
            return redirect(f"{reverse('portal:login')}?{urlencode({'next': request.path})}")
        return view(request, *args, **kwargs)

    return wrapper


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def _track_url(request, order: WorkOrder) -> str:
    return _absolute(request, reverse("portal:track", args=[access.order_token(order)]))


# --- scan a QR code ----------------------------------------------------------------


def _active_place(token: str) -> QRPlace:
    place = (
        QRPlace.objects.select_related("project", "building")
        .filter(token=token, is_active=True)
        .first()
    )
    if place is None:
        raise Http404
    return place


@limited
def scan(request, token):
    place = _active_place(token)
    categories = selectors.report_categories(place.company_id)
    if request.method == "POST":
        _limit(request, "post_addr")
        form = ScanReportForm(request.POST, request.FILES, categories=categories)
        if form.is_valid():
            _limit(request, "report_addr")
            _limit(request, "report_place", place.token)
            data = form.cleaned_data
            try:
                order = services.qr_report_submit(
                    place=place,
                    category=data["category"],
                    description=data["description"],
                    reporter_name=data["reporter_name"],
                    reporter_phone=data["reporter_phone"],
                    photos=form.photos,
                    link_for=lambda o: _track_url(request, o),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("portal:done", token=access.order_token(order))
    else:
        initial = {}
        owners = access.portal_owners(request)
        if owners:
            initial = {"reporter_name": owners[0].name, "reporter_phone": owners[0].phone}
        form = ScanReportForm(initial=initial, categories=categories)
    return render(request, "portal/scan.html", _ctx(request, place=place, form=form))


def done(request, token):
    """The confirmation after a report: the number and the tracking link."""
    target = access.read_token(token)
    if target is None or target.kind != "order":
        raise Http404
    order = get_object_or_404(WorkOrder, public_id=target.public_id)
    return render(
        request,
        "portal/done.html",
        _ctx(
            request,
            order=order,
            track_url=_absolute(request, reverse("portal:track", args=[token])),
            days=settings.GANZHI_PORTAL_LINK_DAYS,
        ),
    )


# --- signed links ------------------------------------------------------------------


def _order_from_token(token: str) -> WorkOrder:
    target = access.read_token(token)
    if target is None or target.kind != "order":
        raise Http404
    return get_object_or_404(WorkOrder, public_id=target.public_id)


def track(request, token):
    """A signed link: one order's page, or (owner link) the owner's list of requests."""
    target = access.read_token(token)
    if target is None:
        return render(request, "portal/link_invalid.html", _ctx(request), status=404)
    if target.kind == "owner":
        owner = Owner.objects.filter(public_id=target.public_id).first()
        if owner is None:
            return render(request, "portal/link_invalid.html", _ctx(request), status=404)
        access.portal_login(request, [owner], expires_at=target.expires_at)
        return redirect("portal:home")
    order = WorkOrder.objects.filter(public_id=target.public_id).first()
    if order is None:
        return render(request, "portal/link_invalid.html", _ctx(request), status=404)
    return _order_page(
        request,
        order,
        urge_url=reverse("portal:track_urge", args=[token]),
        rate_url=reverse("portal:track_rate", args=[token]),
    )


@require_POST
@limited
def track_urge(request, token):
    order = _order_from_token(token)
    return _urge(request, order, reverse("portal:track", args=[token]))


@require_POST
@limited
def track_rate(request, token):
    order = _order_from_token(token)
    return _rate(
        request,
        order,
        reverse("portal:track", args=[token]),
        urge_url=reverse("portal:track_urge", args=[token]),
        rate_url=reverse("portal:track_rate", args=[token]),
    )


# --- an order, for its owner ---------------------------------------------------------


def _order_page(request, order, *, urge_url, rate_url, rating_form=None, status=200):
    return render(
        request,
        "portal/order.html",
        _ctx(
            request,
            order=order,
            timeline=selectors.owner_timeline(order),
            promise=selectors.promise(order, timezone.now()),
            tone=selectors.state_tone(order),
            photos=order.attachments.count(),
            urge_url=urge_url,
            rate_url=rate_url,
            can_rate=order.owner_rating is None and order.state in ("resolved", "closed"),
            rating_form=rating_form or RatingForm(),
        ),
        status=status,
    )


def _urge(request, order, back: str):
    _limit(request, "urge_addr")
    _limit(request, "urge_order", order.public_id.hex)
    try:
        workorder_urge(order=order)
    except DomainError as exc:
        messages.info(request, exc.message)
    else:
        messages.success(request, _("We have told the team that you are waiting."))
    return redirect(back)


def _rate(request, order, back: str, *, urge_url: str, rate_url: str):
    _limit(request, "rate_addr")
    _limit(request, "rate_order", order.public_id.hex)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _order_page(
            request, order, urge_url=urge_url, rate_url=rate_url, rating_form=form, status=400
        )
    try:
        workorder_rate_by_owner(
            order=order, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
        )
    except DomainError as exc:
        messages.info(request, exc.message)
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect(back)


@owner_required
def home(request):
    owners = access.portal_owners(request)
    now = timezone.now()
    page = paginate(request, selectors.owner_orders(owners), per_page=20)
    rows = [
        {"order": o, "promise": selectors.promise(o, now), "tone": selectors.state_tone(o)}
        for o in page
    ]
    has_homes = selectors.owner_households(owners).exists()
    return render(
        request,
        "portal/home.html",
        _ctx(request, rows=rows, page_obj=page, has_homes=has_homes),
    )


def _owner_urls(order):
    return {
        "urge_url": reverse("portal:order_urge", args=[order.public_id]),
        "rate_url": reverse("portal:order_rate", args=[order.public_id]),
    }


@owner_required
def order_detail(request, public_id):
    order = selectors.owner_order_or_404(access.portal_owners(request), public_id)
    return _order_page(request, order, **_owner_urls(order))


@require_POST
@owner_required
@limited
def order_urge(request, public_id):
    order = selectors.owner_order_or_404(access.portal_owners(request), public_id)
    return _urge(request, order, reverse("portal:order", args=[order.public_id]))


@require_POST
@owner_required
@limited
def order_rate(request, public_id):
    order = selectors.owner_order_or_404(access.portal_owners(request), public_id)
    return _rate(
        request, order, reverse("portal:order", args=[order.public_id]), **_owner_urls(order)
    )


@owner_required
@limited
def report(request):
    """A new request for one of the owner's own homes."""
    owners = access.portal_owners(request)
    households = list(selectors.owner_households(owners))
    if not households:
        messages.info(request, _("No home is registered under your number yet."))
        return redirect("portal:home")
    company_ids = {h.company_id for h in households}
    categories = [c for cid in sorted(company_ids) for c in selectors.report_categories(cid)]
    if request.method == "POST":
        _limit(request, "post_addr")
        form = OwnerReportForm(
            request.POST, request.FILES, categories=categories, households=households
        )
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            owner = (
                HouseholdMember.objects.filter(
                    household__unit=unit, household__is_current=True, owner__in=owners
                )
                .select_related("owner")
                .first()
                .owner
            )
            _limit(request, "own_report", str(owner.pk))
            try:
                order = services.owner_report_submit(
                    owner=owner,
                    unit=unit,
                    category=form.cleaned_data["category"],
                    description=form.cleaned_data["description"],
                    photos=form.photos,
                    link_for=lambda o: _track_url(request, o),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Received. Your request number is %(number)s.") % {"number": order.number},
                )
                return redirect("portal:order", public_id=order.public_id)
    else:
        form = OwnerReportForm(categories=categories, households=households)
    return render(request, "portal/report.html", _ctx(request, form=form))


# --- phone login -------------------------------------------------------------------


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("portal:home")


@limited
def login(request):
    if access.portal_owners(request) and request.method == "GET":
        return redirect(_next_url(request))
    form = PhoneForm(request.POST or None)
    if request.method == "POST":
        _limit(request, "post_addr")
        if form.is_valid():
            phone = form.cleaned_data["phone"]
            _limit(request, "code_addr")
            _limit(request, "code_phone", phone)
            _limit(request, "code_phone_day", phone)
            code = access.login_code_issue(phone=phone)
            request.session[LOGIN_PHONE_SESSION_KEY] = phone
            if settings.GANZHI_DEMO and code:
                request.session[DEMO_CODE_SESSION_KEY] = code
            else:
                request.session.pop(DEMO_CODE_SESSION_KEY, None)
            url = reverse("portal:login_code")
            return redirect(f"{url}?{urlencode({'next': _next_url(request)})}")
    return render(request, "portal/login.html", _ctx(request, form=form, next=_next_url(request)))


@limited
def login_code(request):
    phone = request.session.get(LOGIN_PHONE_SESSION_KEY)
    if not phone:
        return redirect("portal:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        _limit(request, "verify_addr")
        if form.is_valid():
            result, owners = access.login_code_verify(phone=phone, code=form.cleaned_data["code"])
            if result == access.CodeResult.OK and owners:
                next_url = _next_url(request)
                access.portal_login(request, owners)
                request.session.pop(LOGIN_PHONE_SESSION_KEY, None)
                request.session.pop(DEMO_CODE_SESSION_KEY, None)
                return redirect(next_url)
            if result == access.CodeResult.WRONG:
                form.add_error("code", _("That code is not right. Check the text message."))
            else:
                request.session.pop(DEMO_CODE_SESSION_KEY, None)
                form.add_error("code", _("This code is no longer valid. Ask for a new one."))
    return render(
        request,
        "portal/login_code.html",
        _ctx(
            request,
            form=form,
            masked_phone=mask_phone(phone),
            demo_code=request.session.get(DEMO_CODE_SESSION_KEY) if settings.GANZHI_DEMO else None,
            next=_next_url(request),
        ),
    )


@require_POST
def logout(request):
    if request.user.is_authenticated and request.user.role == Role.OWNER:
        auth_logout(request)  # an owner's Django login ends too; staff stay logged in
    else:
        access.portal_logout(request)
    return redirect("portal:login")


# --- staff: QR places ----------------------------------------------------------------


def _staff_project(request, public_id) -> Project:
    return get_visible_or_404(Project.objects.all(), request.user, public_id=public_id)


@login_required
@permission_required("workorders.add_qrplace", raise_exception=True)
def qr_projects(request):
    projects = visible(Project.objects.all(), request.user).order_by("name")
    return render(request, "portal/staff/qr_projects.html", {"projects": projects})


@login_required
@permission_required("workorders.add_qrplace", raise_exception=True)
def qr_places(request, public_id):
    project = _staff_project(request, public_id)
    form = QRPlaceForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.qrplace_create(
                actor=request.user,
                project=project,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                building=form.cleaned_data["building"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("QR place added."))
            return redirect("portal:qr_places", public_id=project.public_id)
    places = QRPlace.objects.filter(project=project).select_related("building")
    return render(
        request,
        "portal/staff/qr_places.html",
        {"project": project, "places": places, "form": form},
    )


@login_required
@permission_required("workorders.change_qrplace", raise_exception=True)
def qr_place_edit(request, public_id):
    place = get_visible_or_404(
        QRPlace.objects.select_related("project"), request.user, public_id=public_id
    )
    form = QRPlaceForm(request.POST or None, instance=place, project=place.project)
    if request.method == "POST" and form.is_valid():
        place.refresh_from_db()  # the form changed the instance; the service decides
        try:
            services.qrplace_update(
                actor=request.user,
                place=place,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                building=form.cleaned_data["building"],
                is_active=form.cleaned_data["is_active"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("QR place saved."))
            return redirect("portal:qr_places", public_id=place.project.public_id)
    return render(request, "portal/staff/qr_place_form.html", {"place": place, "form": form})


def qr_svg(url: str) -> str:
    """An inline SVG QR code for ``url`` (made on the server: no CDN, no script)."""
    return mark_safe(segno.make(url, error="m").svg_inline(omitsize=True, svgclass="qr"))


@login_required
@permission_required("workorders.add_qrplace", raise_exception=True)
def qr_print(request, public_id):
    project = _staff_project(request, public_id)
    places = QRPlace.objects.filter(project=project, is_active=True).select_related("building")
    cards = []
    for place in places:
        url = _absolute(request, reverse("portal:scan", args=[place.token]))
        cards.append({"place": place, "url": url, "svg": qr_svg(url)})
    return render(request, "portal/staff/qr_print.html", {"project": project, "cards": cards})
