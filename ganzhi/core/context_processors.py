from django.conf import settings

from ganzhi.core.scoping import scope_for


def shell(request):
    """What every page's frame needs: the user's scope, demo mode, unread notifications."""
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {"ganzhi_demo": settings.GANZHI_DEMO, "scope": scope_for(user), "unread": unread}
