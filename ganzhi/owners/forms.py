from django import forms
from django.utils.translation import gettext_lazy as _

from ganzhi.core.forms import Form
from ganzhi.core.scoping import visible
from ganzhi.org.forms import ScopedFilterForm, scoped_choice
from ganzhi.org.models import Project


class OwnerFilterForm(ScopedFilterForm):
    q = forms.CharField(label=_("Name or last digits of the phone"), required=False, max_length=50)
    project = scoped_choice(Project, _("Project"), _("All projects"))


class ImportForm(Form):
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), to_field_name="public_id"
    )
    file = forms.FileField(
        label=_("Registry file (.csv or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = visible(Project.objects.all(), user)
