"""Invitation links: ``/s/<token>/``.

A token is the invitation's ``public_id`` (a random UUID4, 122 bits) written in base 62,
signed with ``django.core.signing`` under a salt of its own (HMAC-SHA256 over
SECRET_KEY)::

    3k9VfQh0o0lKxQ1v2Zz7Qa.Jq3Sg…      <base62 uuid>.<signature>

It is not stored: the same invitation always gives the same token, so a link can be
exported again for SMS or printed as a QR code. A random or edited string fails the
signature, and a well-signed id that no longer exists is "not found" as well; nothing
tells a guesser which part was wrong. Expiry lives on the invitation (``expires_at``),
not in the token, so staff can extend it.
"""

import uuid

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from ganzhi.core.errors import DomainError
from ganzhi.surveys.models import Campaign, Invitation

SALT = "ganzhi.surveys.invitation"
MAX_TOKEN_LENGTH = 120  # longer input is refused before any cryptography


class InvalidToken(DomainError):
    """Forged, tampered with, or for an invitation that does not exist."""

    def __init__(self) -> None:
        super().__init__(
            "invalid_token",
            _("This survey link is not valid. Check that it is complete."),
            status=404,
        )


class ExpiredToken(DomainError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            "expired",
            message or _("This survey link has expired. Thank you all the same."),
            status=410,
        )


class AlreadyAnswered(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "already_answered", _("This survey has already been answered. Thank you!"), status=409
        )


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=".")


def token_for(invitation: Invitation) -> str:
    """The answering token of ``invitation`` (stable: the same invitation, the same token)."""
    return _signer().sign(signing.b62_encode(invitation.public_id.int))


def public_id_for_token(token: str) -> uuid.UUID | None:
    """The invitation id a token carries, or None when it is not a genuine token."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        value = _signer().unsign(token)
        number = signing.b62_decode(value)
        return uuid.UUID(int=number)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def invitation_for_token(token: str, *, now=None, for_update: bool = False) -> Invitation:
    """The invitation a token opens, or raise:

    - :class:`InvalidToken` (``invalid_token``): random, tampered, or unknown;
    - :class:`AlreadyAnswered` (``already_answered``): answered (checked before expiry);
    - :class:`ExpiredToken` (``expired``): past ``expires_at``, or its campaign is closed.

    ``for_update`` locks the invitation row (inside a transaction), for submitting.
    """
    public_id = public_id_for_token(token)
    if public_id is None:
        raise InvalidToken
    queryset = Invitation.objects.select_related(
        "questionnaire", "campaign", "household__unit__building", "project", "workorder"
    )
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(public_id=public_id).first()
    if invitation is None:
        raise InvalidToken
    if invitation.completed_at is not None:
        raise AlreadyAnswered
    now = now or timezone.now()
    if invitation.expires_at <= now:
        raise ExpiredToken
    if invitation.campaign_id and invitation.campaign.status == Campaign.Status.CLOSED:
        raise ExpiredToken(_("This survey has ended. Thank you all the same."))
    return invitation
