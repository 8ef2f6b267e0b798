"""Web pages of the foundation: sign-in, the home page."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from . import selectors
from .enums import Phase
from .forms import ThrottledAuthenticationForm


class LoginView(auth_views.LoginView):
    template_name = "competition/login.html"
    redirect_authenticated_user = True
    authentication_form = ThrottledAuthenticationForm


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request):
    competitions = selectors.competition_list(user=request.user)
    return render(
        request,
        "competition/home.html",
        {"competitions": competitions, "phases": Phase},
    )


def healthz(request):
    """A trivial endpoint: the baseline the benchmarks compare against."""
    return JsonResponse({"ok": True})
