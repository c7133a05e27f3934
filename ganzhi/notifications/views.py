from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ganzhi.core.paging import paginate
from ganzhi.notifications.models import Notification
from ganzhi.notifications.services import notification_mark_read


@login_required
def inbox(request):
    page = paginate(request, Notification.objects.filter(recipient=request.user))
    return render(request, "notifications/inbox.html", {"page_obj": page})


@require_POST
@login_required
def mark_read(request):
    notification_mark_read(user=request.user)
    return redirect("notifications:inbox")
