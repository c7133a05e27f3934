from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ganzhi.core.forms import ThrottledAuthenticationForm
from ganzhi.org.selectors import scope_overview


class LoginView(auth_views.LoginView):
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


@login_required
def home(request):
    return render(request, "core/home.html", {"overview": scope_overview(user=request.user)})
