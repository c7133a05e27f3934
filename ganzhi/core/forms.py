from django import forms
from django.contrib.auth.forms import AuthenticationForm

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
