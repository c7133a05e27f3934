import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ganzhi.api.models import ApiToken, hash_token
from ganzhi.core.errors import DomainError
from ganzhi.core.login import authenticate_throttled

# Writing last_used_at on every call would turn each read into a write.
_LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


def token_issue(*, request, username: str, password: str) -> str:
    """A new bearer token for valid credentials (login throttling applies)."""
    user = authenticate_throttled(request, username=username, password=password)
    if user is None:
        raise DomainError("invalid_credentials", _("Wrong username or password."), status=401)
    raw = ApiToken.new_raw_value()
    ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        expires_at=timezone.now() + dt.timedelta(days=settings.GANZHI_API_TOKEN_DAYS),
    )
    return raw


def token_user(raw: str):
    """The active user a raw token belongs to, or None when unknown or expired."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
