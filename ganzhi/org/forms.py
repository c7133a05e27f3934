from django import forms
from django.utils.translation import gettext_lazy as _

from ganzhi.core.forms import Form
from ganzhi.core.scoping import visible
from ganzhi.org.models import Building, Project, Region, Unit


class ScopedFilterForm(Form):
    """A GET filter form whose choices are limited to what the user may see."""

    def __init__(self, data, *, user):
        super().__init__(data)
        self.user = user

    def value(self, name: str) -> str:
        if not self.is_valid():
            return ""
        value = self.cleaned_data.get(name)
        if value is None:
            return ""
        return str(getattr(value, "public_id", value))


class ProjectFilterForm(ScopedFilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=_("All regions"),
    )

    def __init__(self, data, *, user):
        super().__init__(data, user=user)
        self.fields["region"].queryset = visible(Region.objects.all(), user)


class UnitFilterForm(ScopedFilterForm):
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=_("All projects"),
    )
    building = forms.ModelChoiceField(
        label=_("Building"),
        queryset=Building.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=_("All buildings"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Unit.Status.choices],
        required=False,
    )
    q = forms.CharField(label=_("Unit number"), required=False, max_length=20)

    def __init__(self, data, *, user):
        super().__init__(data, user=user)
        self.fields["project"].queryset = visible(Project.objects.all(), user)
        project = data.get("project") if data else None
        buildings = visible(Building.objects.all(), user)
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
