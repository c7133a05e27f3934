"""Portal forms. Every field and every photo is checked here, before anything is written."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ganzhi.core.personal_data import is_valid_mobile, normalize_phone
from ganzhi.org.models import Building
from ganzhi.portal.selectors import REPORT_KINDS
from ganzhi.workorders.models import Category, Kind, QRPlace
from ganzhi.workorders.services import ALLOWED_UPLOADS, MAX_UPLOAD_BYTES

MAX_PHOTOS = 3
DESCRIPTION_MAX = 500
PHOTO_TYPES = {t: sigs for t, sigs in ALLOWED_UPLOADS.items() if t.startswith("image/")}


def _is_photo(upload) -> bool:
    """True when the first bytes prove a JPEG, PNG, WebP or GIF (the name is not trusted)."""
    head = upload.read(16)
    upload.seek(0)
    for content_type, signatures in PHOTO_TYPES.items():
        if any(head.startswith(sig) for sig in signatures):
            return content_type != "image/webp" or head[8:12] == b"WEBP"
    return False


class PhotoInput(forms.ClearableFileInput):
    def __init__(self):
        super().__init__(attrs={"accept": "image/*", "capture": "environment"})


def clean_mobile(raw: str) -> str:
    phone = normalize_phone(raw)
    if not is_valid_mobile(phone):
        raise forms.ValidationError(
            _("Enter an 11-digit mobile number, e.g. 13812345678."), code="invalid_mobile"
        )
    return phone


class CategoryField(forms.ChoiceField):
    """A company's active categories of the reportable kinds, grouped by kind."""

    def __init__(self, **kwargs):
        super().__init__(label=_("What happened?"), choices=[], **kwargs)
        self._by_id: dict[str, Category] = {}

    def set_categories(self, categories: list[Category]) -> None:
        self._by_id = {str(c.public_id): c for c in categories}
        groups = []
        for kind in REPORT_KINDS:
            items = [(str(c.public_id), c.name) for c in categories if c.kind == kind]
            if items:
                groups.append((Kind(kind).label, items))
        self.choices = [("", _("Choose…")), *groups]

    def clean(self, value):
        value = super().clean(value)
        return self._by_id[value]


class ReportForm(forms.Form):
    """What happened, a description and up to three photos (the fields both report forms
    share)."""

    category = CategoryField()
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("What is wrong, and where exactly?")}
        ),
    )
    photo_1 = forms.FileField(label=_("Photo 1"), required=False, widget=PhotoInput())
    photo_2 = forms.FileField(label=_("Photo 2"), required=False, widget=PhotoInput())
    photo_3 = forms.FileField(label=_("Photo 3"), required=False, widget=PhotoInput())

    def __init__(self, *args, categories: list[Category], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].set_categories(categories)

    def _clean_photo(self, name: str):
        upload = self.cleaned_data.get(name)
        if not upload:
            return None
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("A file may be at most 10 MB."), code="too_large")
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        if not _is_photo(upload):
            raise forms.ValidationError(
                _("Only photos (JPEG, PNG, WebP, GIF) can be attached."), code="not_a_photo"
            )
        return upload

    def clean_photo_1(self):
        return self._clean_photo("photo_1")

    def clean_photo_2(self):
        return self._clean_photo("photo_2")

    def clean_photo_3(self):
        return self._clean_photo("photo_3")

    @property
    def photos(self) -> list:
        return [
            self.cleaned_data[f"photo_{i}"]
            for i in range(1, MAX_PHOTOS + 1)
            if self.cleaned_data.get(f"photo_{i}")
        ]


class ScanReportForm(ReportForm):
    """The report behind a QR code: anyone may file it, with a name and a mobile number."""

    reporter_name = forms.CharField(label=_("Your name"), max_length=50)
    reporter_phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    field_order = [
        "category",
        "description",
        "photo_1",
        "photo_2",
        "photo_3",
        "reporter_name",
        "reporter_phone",
    ]

    def clean_reporter_phone(self):
        return clean_mobile(self.cleaned_data["reporter_phone"])


class OwnerReportForm(ReportForm):
    """A logged-in owner reports for one of their current households' units."""

    unit = forms.ChoiceField(label=_("Which home?"))

    field_order = ["unit", "category", "description", "photo_1", "photo_2", "photo_3"]

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self._units = {str(h.unit.public_id): h.unit for h in households}
        self.fields["unit"].choices = [
            (str(h.unit.public_id), f"{h.project.name} {h.unit.label}") for h in households
        ]
        if len(households) == 1:
            self.fields["unit"].initial = str(households[0].unit.public_id)

    def clean_unit(self):
        return self._units[self.cleaned_data["unit"]]

    def clean(self):
        cleaned = super().clean()
        unit, category = cleaned.get("unit"), cleaned.get("category")
        if unit is not None and category is not None and category.company_id != unit.company_id:
            self.add_error("category", _("Choose a category for this home."))
        return cleaned


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "autofocus": True}
        ),
    )

    def clean_phone(self):
        return clean_mobile(self.cleaned_data["phone"])


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("6-digit code"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(i, "★" * i) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QRPlaceForm(forms.ModelForm):
    class Meta:
        model = QRPlace
        fields = ["name", "kind", "building", "is_active"]

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        building = self.fields["building"]
        building.queryset = Building.objects.filter(project=project)
        building.required = False
        building.label = _("Building")
        building.empty_label = _("Whole project")
        if self.instance.pk is None:
            del self.fields["is_active"]
