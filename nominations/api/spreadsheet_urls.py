"""The .xlsx exchange; included before the nominations router so "export" is never read as an id."""

from django.urls import path

from . import spreadsheet_views

urlpatterns: list = [
    path(
        "nominations/export/",
        spreadsheet_views.NominationExportView.as_view(),
        name="nomination-export",
    ),
    path(
        "nominations/import/",
        spreadsheet_views.NominationImportView.as_view(),
        name="nomination-import",
    ),
]
