"""The office's pages of units, accounts and judges (namespace ``people``)."""

from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("units/", views.units, name="units"),
    path("units/<int:pk>/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/active/", views.unit_active, name="unit_active"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/new/", views.account_add, name="account_add"),
    path("accounts/<int:pk>/reset/", views.account_reset, name="account_reset"),
    path("accounts/invite/", views.account_invite, name="account_invite"),
    path("accounts/import/", views.accounts_import, name="import"),
    path("accounts/import/template.xlsx", views.import_template, name="import_template"),
    path("judges/", views.judges, name="judges"),
    path("judges/<int:pk>/", views.judge_edit, name="judge_edit"),
    path("judges/<int:pk>/active/", views.judge_active, name="judge_active"),
]
