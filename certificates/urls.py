"""Web pages of the certificates app, under /certificates/ (the verification page is /verify/<token>/)."""

from django.urls import path

from . import office_views, views

app_name = "certificates"

urlpatterns = [
    path("competitions/<int:pk>/", views.competition_certificates, name="competition"),
    path("competitions/<int:pk>/issue/", views.issue, name="issue"),
    path("batches/<int:pk>/", views.batch_page, name="batch"),
    path("<int:pk>/pdf/", office_views.certificate_pdf, name="pdf"),
    path("<int:pk>/revoke/", office_views.certificate_revoke, name="revoke"),
    path("<int:pk>/reissue/", office_views.certificate_reissue, name="reissue"),
    path("competitions/<int:pk>/publicity.pdf", office_views.publicity_pdf, name="publicity-pdf"),
    path("competitions/<int:pk>/honours.pdf", office_views.honours_pdf, name="honours-pdf"),
    path("competitions/<int:pk>/sample.pdf", office_views.sample_pdf, name="sample-pdf"),
]
