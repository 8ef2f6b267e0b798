"""The office console under /judging/office/ (namespace ``judging:console``)."""

from django.urls import path

from . import views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:pk>/", views.year, name="year"),
    path("<int:pk>/panels/", views.panels, name="panels"),
    path("<int:pk>/panels/save/", views.panel_save, name="panel_save"),
    path("rounds/<int:pk>/assign/", views.assign, name="assign"),
    path("rounds/<int:pk>/assign/preview/", views.assign_preview, name="assign_preview"),
    path("rounds/<int:pk>/assign/auto/", views.assign_auto, name="assign_auto"),
    path("rounds/<int:pk>/assign/add/", views.assign_add, name="assign_add"),
    path("rounds/<int:pk>/withdraw/", views.judge_withdraw, name="withdraw"),
    path("rounds/<int:pk>/close/", views.round_close, name="close"),
    path("assignments/<int:pk>/remove/", views.assign_remove, name="remove"),
    path("assignments/<int:pk>/replace/", views.assign_replace, name="replace"),
    path("assignments/<int:pk>/reassign/", views.assign_reassign, name="reassign"),
    path("assignments/<int:pk>/exclude/", views.scorecard_exclude, name="exclude"),
    path("assignments/<int:pk>/unlock/", views.scorecard_unlock, name="unlock"),
]
