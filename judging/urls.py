"""Web pages of judging and rankings, under /judging/ (the public 公示 page is in ``public_urlpatterns``)."""

from django.urls import include, path

from . import views

app_name = "judging"

urlpatterns = [
    path("", views.index, name="index"),
    path("competitions/<int:pk>/pledge/", views.pledge, name="pledge"),
    path("assignments/<int:pk>/", views.assignment_page, name="assignment"),
    path("assignments/<int:pk>/conflict/", views.declare_conflict, name="conflict"),
    path("rounds/<int:pk>/progress/", views.progress, name="progress"),
    path("rounds/<int:pk>/remind/", views.remind_judges, name="remind"),
    path("rounds/<int:pk>/conflicts/", views.conflicts, name="conflicts"),
    path("rounds/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("rounds/<int:pk>/close/", views.close_round, name="close"),
    path("office/", include("judging.console.urls")),
    path("office/", include("judging.console.results_urls")),
]

# The public 公示 page (no sign-in), mounted by config/urls.py as
# ``path("publicity/", include((judging_urls.public_urlpatterns, "publicity")))``.
public_urlpatterns = [
    path("<int:pk>/", views.publicity, name="detail"),
    path("<int:pk>/objection/", views.objection_submit, name="objection"),
    path("objections/", views.objection_status, name="objection-status"),
]
