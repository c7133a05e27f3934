"""Background work of survey waves, run by the clock (``GANZHI_PERIODIC_TASKS``)."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from ganzhi.surveys.campaigns import REMIND_EVERY, campaign_close, invitations_remind
from ganzhi.surveys.models import Campaign

REMIND_HOURS = (9, 20)  # local time: automatic reminders only go out in the day


def survey_sweep(*, now: dt.datetime | None = None) -> dict:
    """Close waves whose end date has passed (storing their weights), and remind the
    owners of running waves who have not answered: invitations at least 3 days old, at
    most once every 3 days and three times in all, between 9:00 and 20:00 local time
    (see campaigns.invitations_remind)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    closed = 0
    for campaign in Campaign.objects.filter(status=Campaign.Status.OPEN, ends_on__lt=today):
        campaign_close(actor=None, campaign=campaign)
        closed += 1
    reminded = 0
    if not REMIND_HOURS[0] <= timezone.localtime(now).hour < REMIND_HOURS[1]:
        return {"closed": closed, "reminded": reminded}  # nobody gets a message at night
    for campaign in Campaign.objects.filter(
        status=Campaign.Status.OPEN, starts_on__lte=today, ends_on__gte=today
    ):
        reminded += invitations_remind(campaign, now=now, min_age=REMIND_EVERY)
    return {"closed": closed, "reminded": reminded}


@task()
def survey_sweep_task() -> dict:
    """Run by the clock every GANZHI_SURVEY_SWEEP_SECONDS (default hourly)."""
    return survey_sweep()
