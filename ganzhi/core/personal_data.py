"""Personal data (phone and ID numbers): validation, and masking for roles that do not need it."""

import re


def mask_phone(phone: str | None) -> str:
    """13812341234 → 138****1234; short or odd values keep only their last 2 characters."""
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def mask_id_number(value: str | None) -> str:
    """110101199001011234 → 1101**********1234."""
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def can_see_personal_data(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("owners.view_personal_data"))


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(raw: str | None) -> str:
    """Mainland mobile numbers as 11 digits: strips spaces, dashes and a +86/0086 prefix."""
    if raw is None:
        return ""
    digits = re.sub(r"[\s\-()]", "", str(raw))
    if digits.endswith(".0"):  # spreadsheets turn numbers into floats
        digits = digits[:-2]
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def is_valid_mobile(phone: str) -> bool:
    return bool(_MOBILE.match(phone))
