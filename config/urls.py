from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from certificates import views as certificate_views
from competition import views as competition_views
from competition.api.permissions import ApiDocsPermission
from competition.people import views as people_views
from exhibition import front_door
from judging import urls as judging_urls

api_v1 = [
    # First: the public exhibition feed is the most read API, and URLs resolve in order.
    path("", include("exhibition.api.urls")),
    path("", include("competition.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("nominations.api.urls")),
    path("", include("judging.api.urls")),
    path("", include("certificates.api.urls")),
]

urlpatterns = [
    # Visitors get the public front door; signed-in users their own home.
    path("", front_door.home, name="home"),
    path("accounts/login/", competition_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", competition_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", competition_views.password_change, name="password_change"),
    # Password reset by e-mail (Django's token views, Chinese pages, throttled).
    path("accounts/password/reset/", people_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", people_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        people_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", people_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("office/", include("competition.people.urls")),
    path("competitions/<int:pk>/calendar/", competition_views.calendar, name="competition-calendar"),
    path("competitions/", include("competition.setup.urls")),
    path("notifications/", include("notifications.urls")),
    path("nominations/", include("nominations.urls")),
    path("certificates/", include("certificates.urls")),
    path("verify/", certificate_views.verify_lookup, name="certificate-lookup"),
    path("verify/<str:token>/", certificate_views.verify, name="certificate-verify"),
    path("judging/", include("judging.urls")),
    path("publicity/", include((judging_urls.public_urlpatterns, "publicity"))),
    path("exhibition/", include("exhibition.urls")),
    # The admin's own "修改密码" goes to the one password change page (validators,
    # token revocation, audit), not to Django's built-in form.
    path("admin/password_change/", RedirectView.as_view(pattern_name="password_change")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    # Office only in production (ApiDocsPermission); open in DEBUG.
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[ApiDocsPermission]), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="schema", permission_classes=[ApiDocsPermission]),
        name="api-docs",
    ),
    path("healthz/", competition_views.healthz, name="healthz"),
]

if settings.DEBUG:
    # Public media only (seals, rendered exhibition images); nomination
    # attachments are served through permission-checked views.
    urlpatterns.append(
        path("media/public/<path:path>", serve, {"document_root": settings.MEDIA_ROOT / "public"})
    )

handler404 = "competition.api.errors.api_not_found"
handler500 = "competition.api.errors.api_server_error"
