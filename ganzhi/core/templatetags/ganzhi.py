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
