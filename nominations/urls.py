"""Web pages of the nominations app (unit officers and the office), under /nominations/."""

from django.urls import path

from . import past_winner_views, views

app_name = "nominations"

urlpatterns = [
    path("", views.nomination_index, name="index"),
    path("new/", views.nomination_new, name="new"),
    path("review/", views.review_queue, name="review"),
    path("<int:pk>/", views.nomination_detail, name="detail"),
    path("<int:pk>/edit/", views.nomination_edit, name="edit"),
    path("<int:pk>/checklist/", views.nomination_checklist, name="checklist"),
    path("<int:pk>/submit/", views.nomination_submit, name="submit"),
    path("<int:pk>/withdraw/", views.nomination_withdraw, name="withdraw"),
    path("<int:pk>/delete/", views.nomination_delete, name="delete"),
    path("<int:pk>/review/", views.nomination_review, name="review-decision"),
    path("past-winners/", past_winner_views.past_winner_list, name="past-winners"),
    path("past-winners/import/", past_winner_views.past_winner_import_page, name="past-winners-import"),
    path("past-winners/template.xlsx", past_winner_views.past_winner_template, name="past-winners-template"),
    path("past-winners/<int:pk>/", past_winner_views.past_winner_edit, name="past-winner-edit"),
    path("past-winners/<int:pk>/delete/", past_winner_views.past_winner_delete, name="past-winner-delete"),
]
