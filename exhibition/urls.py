"""The public pages of the 云展馆, mounted at /exhibition/ by config/urls.py."""

from django.urls import path, re_path

from . import hall_office, hall_views, office_history_views, office_views, suggestion_views, views
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
    path("suggestions/", suggestion_views.suggest, name="suggest"),
    path("office/suggestions/", suggestion_views.office_list, name="office-suggestions"),
    path("office/suggestions/<int:pk>/", suggestion_views.office_mark, name="office-suggestion-mark"),
    path("halls/", hall_views.index, name="halls"),
    path("halls/<slug:slug>/", hall_views.hall_page, name="hall"),
    path("halls/<slug:slug>/<slug:item>/", hall_views.item_page, name="hall-item"),
    re_path(r"^hall-files/(?P<name>[0-9a-f]{2}/[0-9a-f]{40}\.(?:jpg|pdf|mp4))$", hall_views.hall_file, name="hall-file"),
    path("office/halls/", hall_office.items, name="office-halls"),
    path("office/halls/new/", hall_office.item_new, name="office-hall-new"),
    path("office/halls/<int:pk>/", hall_office.item_edit, name="office-hall-item"),
    path("office/halls/<int:pk>/<str:action>/", hall_office.item_action, name="office-hall-action"),
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
