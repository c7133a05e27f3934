from django import forms
from django.utils.translation import gettext_lazy as _

from ganzhi.core.forms import Form, LongSelect
from ganzhi.core.scoping import visible
from ganzhi.org.models import Building, Project, Region, Unit


def scoped_choice(model, label, empty_label) -> forms.ModelChoiceField:
    """An optional filter choice by public id; ScopedFilterForm narrows it to the user's scope."""
    return forms.ModelChoiceField(
        label=label,
        queryset=model.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=empty_label,
        widget=LongSelect,
    )


class ScopedFilterForm(Form):
    """A GET filter form whose choices are limited to what the user may see."""

    def __init__(self, data, *, user):
        super().__init__(data)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = visible(field.queryset.model._default_manager.all(), user)

    def value(self, name: str) -> str:
        if not self.is_valid():
            return ""
        value = self.cleaned_data.get(name)
        if value is None:
            return ""
        return str(getattr(value, "public_id", value))


class ProjectFilterForm(ScopedFilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    region = scoped_choice(Region, _("Region"), _("All regions"))


class UnitFilterForm(ScopedFilterForm):
    project = scoped_choice(Project, _("Project"), _("All projects"))
    building = scoped_choice(Building, _("Building"), _("All buildings"))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Unit.Status.choices],
        required=False,
    )
    q = forms.CharField(label=_("Unit number"), required=False, max_length=20)

    def __init__(self, data, *, user):
        super().__init__(data, user=user)
        project = data.get("project") if data else None
        buildings = self.fields["building"].queryset
        self.fields["building"].queryset = (
            buildings.filter(project__public_id=project) if _is_uuid(project) else buildings.none()
        )


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
