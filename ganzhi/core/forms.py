from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from ganzhi.core.errors import DomainError
from ganzhi.core.login import authenticate_throttled


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, with repeated failures locked out (ganzhi.core.login)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = authenticate_throttled(
                    self.request, username=username, password=password
                )
            except DomainError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from exc
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class Form(forms.Form):
    """Ganzhi's form base: no ASCII colon after labels (the layout separates them)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LongSelect(forms.Select):
    """A ``<select>`` that writes its options directly. Django renders every option
    through a template: for the 750 projects of a tier-M company that was the slowest
    part of the work-order queue."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>{}</select>", flatatt(final), options)
