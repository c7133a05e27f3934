"""Channels a notification can go out on.

A channel is a class with ``name`` and ``send(message) -> None`` that raises on
failure. ``inbox`` and ``email`` work out of the box. SMS and WeChat template
messages need a provider account: subclass :class:`SmsChannel` or
:class:`WeChatChannel`, implement ``deliver``, and list the class in the
``GANZHI_NOTIFICATION_CHANNELS`` setting. Without a provider they record the
message as not sent ("skipped"), so nothing is silently lost.
"""

from dataclasses import dataclass, field

from django.core.mail import send_mail


@dataclass(frozen=True)
class Recipient:
    """Who gets a message: a user (inbox, email) and/or a phone (SMS, WeChat)."""

    label: str
    user: object | None = None
    email: str = ""
    phone: str = ""
    wechat_openid: str = ""


@dataclass(frozen=True)
class Message:
    event: str
    title: str
    body: str
    recipient: Recipient
    link: str = ""
    data: dict = field(default_factory=dict)


class ChannelUnavailable(Exception):
    """The recipient has no address on this channel."""


class InboxChannel:
    name = "inbox"

    def send(self, message: Message) -> None:
        from ganzhi.notifications.models import Notification

        if message.recipient.user is None:
            raise ChannelUnavailable
        Notification.objects.create(
            recipient=message.recipient.user,
            title=message.title[:120],
            body=message.body,
            link=message.link,
            event=message.event,
        )


class EmailChannel:
    name = "email"

    def send(self, message: Message) -> None:
        if not message.recipient.email:
            raise ChannelUnavailable
        send_mail(message.title, message.body, None, [message.recipient.email])


class SmsChannel:
    """Adapter for an SMS provider: implement ``deliver(phone, text)``."""

    name = "sms"

    def send(self, message: Message) -> None:
        if not message.recipient.phone:
            raise ChannelUnavailable
        self.deliver(message.recipient.phone, f"{message.title}：{message.body}")

    def deliver(self, phone: str, text: str) -> None:
        raise ChannelUnavailable  # no provider configured


class WeChatChannel:
    """Adapter for WeChat template messages: implement ``deliver(openid, message)``."""

    name = "wechat"

    def send(self, message: Message) -> None:
        if not message.recipient.wechat_openid:
            raise ChannelUnavailable
        self.deliver(message.recipient.wechat_openid, message)

    def deliver(self, openid: str, message: Message) -> None:
        raise ChannelUnavailable  # no provider configured
