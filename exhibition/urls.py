"""The public pages of the 云展馆, mounted at /exhibition/ by config/urls.py."""

from django.urls import path, re_path

from . import office_history_views, office_views, views
from .enums import ExhibitKind

app_name = "exhibition"

urlpatterns = [
    path("", views.lobby, name="lobby"),
    path("projects/", views.hall, {"kind": ExhibitKind.PROJECT}, name="projects"),
    path("projects/<slug:slug>/", views.exhibit_page, {"kind": ExhibitKind.PROJECT}, name="project"),
    path("organizations/", views.hall, {"kind": ExhibitKind.ORGANIZATION}, name="organizations"),
    path(
        "organizations/<slug:slug>/",
        views.exhibit_page,
        {"kind": ExhibitKind.ORGANIZATION},
        name="organization",
    ),
    path("office/competitions/<int:pk>/", office_views.publish_page, name="office-publish"),
    path(
        "office/competitions/<int:pk>/recommended/",
        office_history_views.recommended_page,
        name="office-recommended",
    ),
    path("office/history/", office_history_views.history_page, name="office-history"),
    path("office/history/import/", office_history_views.history_import_page, name="office-history-import"),
    path("office/history/template.xlsx", office_history_views.history_template, name="office-history-template"),
    path("office/exhibits/<int:pk>/", office_history_views.exhibit_page, name="office-exhibit"),
    re_path(r"^media/(?P<name>[0-9a-f]{2}/[0-9a-f]{40}\.jpg)$", views.media, name="media"),
]
