from django import template

from ganzhi.core.personal_data import mask_id_number, mask_phone

register = template.Library()


@register.simple_tag
def phone(value: str, full: bool) -> str:
    """A phone number, masked unless the viewer may see personal data."""
    return (value if full else mask_phone(value)) or "—"


@register.simple_tag
def id_number(value: str, full: bool) -> str:
    return (value if full else mask_id_number(value)) or "—"


@register.simple_tag
def countdown(due, now) -> str:
    """Time left to a promise, or how long ago it was broken: 剩余 3小时20分 / 已超时 2天."""
    from django.utils.translation import gettext as _

    if due is None:
        return "—"
    seconds = int((due - now).total_seconds())
    span = _span(abs(seconds))
    if seconds >= 0:
        return _("%(span)s left") % {"span": span}
    return _("overdue %(span)s") % {"span": span}


def _span(seconds: int) -> str:
    from django.utils.translation import gettext as _

    minutes = seconds // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(d)dd %(h)dh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)dh %(m)dm") % {"h": hours, "m": minutes}
    return _("%(m)dm") % {"m": minutes}
