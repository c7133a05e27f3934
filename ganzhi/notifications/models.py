"""Notifications: an in-app inbox for users, and a delivery log for every channel."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message in a user's inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("message"), max_length=2000, blank=True)
    link = models.CharField(max_length=200, blank=True)
    event = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One attempt to send a message out of the product (email, SMS, WeChat …)."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("No address")

    channel = models.CharField(max_length=20)
    event = models.CharField(max_length=40)
    recipient_label = models.CharField(max_length=80)
    title = models.CharField(max_length=120)
    status = models.CharField(max_length=20, choices=Status.choices)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel} {self.title}"
