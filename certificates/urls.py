"""Web pages of the certificates app, under /certificates/ (the verification page is /verify/<token>/)."""

from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("competitions/<int:pk>/", views.competition_certificates, name="competition"),
    path("competitions/<int:pk>/issue/", views.issue, name="issue"),
    path("batches/<int:pk>/", views.batch_page, name="batch"),
]
