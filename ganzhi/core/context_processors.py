from ganzhi.core.scoping import scope_for


def shell(request):
    """What every page's frame needs: the user's scope and whether this is the demo."""
    from django.conf import settings

    return {"ganzhi_demo": settings.GANZHI_DEMO, "scope": scope_for(getattr(request, "user", None))}
