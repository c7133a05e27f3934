from django.core import mail

from ganzhi.notifications.channels import Recipient
from ganzhi.notifications.models import Delivery, Notification
from ganzhi.notifications.services import notify


class BrokenChannel:
    name = "broken"

    def send(self, message):
        raise ConnectionError("provider down")


def test_notify_reaches_inbox_and_email_and_records_the_rest(world):
    world.manager.email = "pm@example.com"
    world.manager.save()
    notify(
        recipients=[
            Recipient(label="经理", user=world.manager, email="pm@example.com"),
            Recipient(label="业主", phone="13812341234"),
        ],
        event="test",
        title="工单超时",
        body="请处理",
    )
    assert Notification.objects.get(recipient=world.manager).title == "工单超时"
    assert [m.to for m in mail.outbox] == [["pm@example.com"]]
    statuses = sorted(Delivery.objects.values_list("channel", "recipient_label", "status"))
    assert statuses == [
        ("email", "业主", "skipped"),
        ("email", "经理", "sent"),
        ("sms", "业主", "skipped"),
        ("sms", "经理", "skipped"),
    ]
    assert not Delivery.objects.filter(recipient_label__contains="1381").exists()


def test_a_failing_channel_does_not_stop_the_others(world, settings):
    settings.GANZHI_NOTIFICATION_CHANNELS = [
        "tests.notifications.test_notifications.BrokenChannel",
        "ganzhi.notifications.channels.InboxChannel",
    ]
    notify(recipients=[Recipient(label="hq", user=world.hq)], event="x", title="hello")
    assert Notification.objects.filter(recipient=world.hq).count() == 1
    failed = Delivery.objects.get(channel="broken")
    assert failed.status == "failed" and "provider down" in failed.error


def test_inbox_shows_only_your_own_and_marks_read(world):
    Notification.objects.create(recipient=world.hq, title="给总部", event="x")
    Notification.objects.create(recipient=world.manager, title="给经理", event="x")
    client = world.client_for(world.manager)
    html = client.get("/notifications/").content.decode()
    assert "给经理" in html and "给总部" not in html
    client.post("/notifications/read/")
    assert not Notification.objects.filter(recipient=world.manager, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=world.hq, read_at__isnull=True).exists()
    assert world.client_for(None).get("/notifications/").status_code == 302
