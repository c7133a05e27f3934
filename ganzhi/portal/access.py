"""How an owner gets into the portal without a password.

Three ways, all ending in a list of ``Owner`` rows for the request:

- a **signed, expiring link** (``TimestampSigner``, salt ``ganzhi.portal``) over an
  order's ``public_id`` (that one order) or an owner's ``public_id`` (all their
  households' orders); links live ``GANZHI_PORTAL_LINK_DAYS`` days;
- **phone login**: a 6-digit code, stored only as a keyed hash in the cache for 10
  minutes, at most 5 tries per code; the session then holds the owner ids;
- a logged-in Django user of role owner with a linked ``Owner``.
"""

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from ganzhi.core import ratelimit
from ganzhi.core.roles import Role
from ganzhi.notifications.channels import Recipient
from ganzhi.notifications.services import notify
from ganzhi.owners.models import Owner

SALT = "ganzhi.portal"
SESSION_KEY = "ganzhi_portal_owners"
CODE_SECONDS = 10 * 60
CODE_TRIES = 5

_ORDER, _OWNER = "o", "w"


# --- signed links ----------------------------------------------------------------


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def link_max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.GANZHI_PORTAL_LINK_DAYS)


def order_token(order) -> str:
    """A token that opens exactly this order (and nothing else) for a limited time."""
    return _signer().sign(f"{_ORDER}.{order.public_id.hex}")


def owner_token(owner) -> str:
    """A token that opens the owner's list of requests for a limited time."""
    return _signer().sign(f"{_OWNER}.{owner.public_id.hex}")


@dataclass(frozen=True)
class LinkTarget:
    kind: str  # "order" or "owner"
    public_id: uuid.UUID
    expires_at: dt.datetime


def read_token(token: str) -> LinkTarget | None:
    """What a token opens, or None when it is forged, tampered with or expired."""
    max_age = link_max_age()
    try:
        value = _signer().unsign(token, max_age=max_age)
        signed_at = signing.b62_decode(token.rsplit(":", 2)[-2])
    except (signing.BadSignature, ValueError, IndexError):
        return None
    prefix, _dot, hex_id = value.partition(".")
    try:
        public_id = uuid.UUID(hex=hex_id)
    except ValueError:
        return None
    kind = {_ORDER: "order", _OWNER: "owner"}.get(prefix)
    if kind is None:
        return None
    expires_at = dt.datetime.fromtimestamp(signed_at, tz=dt.UTC) + max_age
    return LinkTarget(kind=kind, public_id=public_id, expires_at=expires_at)


# --- the session -------------------------------------------------------------------


def portal_owners(request) -> list[Owner]:
    """The owners this request acts for (session login, owner link, or Django owner user)."""
    cached = getattr(request, "_portal_owners", None)
    if cached is not None:
        return cached
    ids = request.session.get(SESSION_KEY) or []
    owners = list(Owner.objects.filter(pk__in=ids).order_by("pk")) if ids else []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active and user.role == Role.OWNER:
        linked = Owner.objects.filter(user=user).first()
        if linked is not None and linked not in owners:
            owners.append(linked)
    request._portal_owners = owners
    return owners


def portal_login(request, owners: list[Owner], *, expires_at: dt.datetime | None = None) -> None:
    """Remember ``owners`` in a fresh session (new key: no session fixation)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = [owner.pk for owner in owners]
    if expires_at is not None:
        seconds = int((expires_at - timezone.now()).total_seconds())
        request.session.set_expiry(max(seconds, 60))
    else:
        request.session.set_expiry(None)  # the site's default session age
    request._portal_owners = None


def portal_logout(request) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    request._portal_owners = None


# --- phone login codes -------------------------------------------------------------


def owners_with_phone(phone: str) -> list[Owner]:
    return list(Owner.objects.filter(phone=phone).order_by("pk")) if phone else []


def _code_key(phone: str) -> str:
    return f"portal:code:{phone}"


def _code_hash(phone: str, code: str, nonce: str) -> str:
    return salted_hmac(SALT, f"{phone}:{nonce}:{code}").hexdigest()


def login_code_issue(*, phone: str) -> str | None:
    """Make a code for a registered mobile and text it; the code, or None when no owner has
    this number (the caller shows the same page either way, so numbers cannot be probed).

    Only a keyed hash is kept, in the cache, for 10 minutes; a new code replaces the old.
    """
    owners = owners_with_phone(phone)
    if not owners:
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    nonce = secrets.token_hex(8)
    cache.set(
        _code_key(phone), {"nonce": nonce, "hash": _code_hash(phone, code, nonce)}, CODE_SECONDS
    )
    notify(
        recipients=[Recipient(label=owners[0].name, phone=phone)],
        event="portal_login_code",
        title=_("Ganzhi login code"),
        body=_("Your code is %(code)s. It is valid for 10 minutes; do not tell anyone.")
        % {"code": code},
    )
    return code


class CodeResult:
    OK = "ok"
    WRONG = "wrong"
    EXHAUSTED = "exhausted"  # no code, expired, or 5 wrong tries


def login_code_verify(*, phone: str, code: str) -> tuple[str, list[Owner]]:
    """Check a code; at most ``CODE_TRIES`` attempts per code, then it is void."""
    entry = cache.get(_code_key(phone))
    if not entry:
        return CodeResult.EXHAUSTED, []
    if not ratelimit.hit(
        f"portal:code-try:{entry['nonce']}", limit=CODE_TRIES, window_seconds=CODE_SECONDS
    ):
        cache.delete(_code_key(phone))
        return CodeResult.EXHAUSTED, []
    if not constant_time_compare(_code_hash(phone, code, entry["nonce"]), entry["hash"]):
        if ratelimit.count(f"portal:code-try:{entry['nonce']}") >= CODE_TRIES:
            cache.delete(_code_key(phone))
            return CodeResult.EXHAUSTED, []
        return CodeResult.WRONG, []
    cache.delete(_code_key(phone))
    return CodeResult.OK, owners_with_phone(phone)
