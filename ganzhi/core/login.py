"""Login throttling shared by the web login and the API token endpoint.

Failures are counted per (username, client address) and per address alone; past
the limit, further attempts are refused until the window ends, even with the
right password.
"""

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _

from ganzhi.core import ratelimit
from ganzhi.core.errors import DomainError

# An address may try this many times as many usernames before it is locked out.
_ADDRESS_FACTOR = 4


def _keys(username: str, address: str) -> tuple[str, str]:
    return f"login:{username.lower()}:{address}", f"login-addr:{address}"


def is_locked_out(username: str, address: str) -> bool:
    user_key, address_key = _keys(username, address)
    limit = settings.GANZHI_LOGIN_MAX_FAILURES
    return (
        ratelimit.count(user_key) >= limit
        or ratelimit.count(address_key) >= limit * _ADDRESS_FACTOR
    )


def locked_out_error() -> DomainError:
    minutes = max(settings.GANZHI_LOGIN_LOCKOUT_SECONDS // 60, 1)
    return DomainError(
        "too_many_attempts",
        _("Too many failed logins. Try again in %(minutes)d minutes.") % {"minutes": minutes},
        status=429,
    )


def authenticate_throttled(request, *, username: str, password: str):
    """The user for these credentials, or None; raises once the caller is locked out."""
    address = ratelimit.client_address(request)
    if is_locked_out(username, address):
        raise locked_out_error()
    user = authenticate(request, username=username, password=password)
    user_key, address_key = _keys(username, address)
    if user is None:
        window = settings.GANZHI_LOGIN_LOCKOUT_SECONDS
        ratelimit.hit(user_key, limit=10**9, window_seconds=window)
        ratelimit.hit(address_key, limit=10**9, window_seconds=window)
        return None
    ratelimit.reset(user_key)
    return user
