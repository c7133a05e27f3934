"""The one notification service: ``notify`` sends a message on every configured channel."""

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from ganzhi.notifications.channels import ChannelUnavailable, Message, Recipient
from ganzhi.notifications.models import Delivery, Notification

logger = logging.getLogger(__name__)


def _channels():
    return [import_string(path)() for path in settings.GANZHI_NOTIFICATION_CHANNELS]


def notify(
    *, recipients: list[Recipient], event: str, title: str, body: str = "", link: str = ""
) -> None:
    """Send to each recipient on each channel. A failing channel never stops the others;
    every outcome outside the inbox is recorded as a ``Delivery``."""
    channels = _channels()
    for recipient in recipients:
        message = Message(event=event, title=title, body=body, recipient=recipient, link=link)
        for channel in channels:
            status, error = Delivery.Status.SENT, ""
            try:
                channel.send(message)
            except ChannelUnavailable:
                status = Delivery.Status.SKIPPED
            except Exception as exc:  # a provider outage must not break the caller
                logger.warning("notification channel %s failed: %s", channel.name, exc)
                status, error = Delivery.Status.FAILED, str(exc)[:200]
            if channel.name != "inbox":
                Delivery.objects.create(
                    channel=channel.name,
                    event=event,
                    recipient_label=recipient.label[:80],
                    title=title[:120],
                    status=status,
                    error=error,
                )


def notification_mark_read(*, user, ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(id__in=ids)
    return unread.update(read_at=timezone.now())
