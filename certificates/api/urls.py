from django.urls import path
from rest_framework.routers import SimpleRouter

from . import form_views, views

router = SimpleRouter()
router.register("certificate-batches", views.BatchViewSet, basename="certificate-batch")
router.register("certificates", views.CertificateViewSet, basename="certificate")

urlpatterns = [
    # The printable 推荐表 (rendered in the certificates' font; the path is the nomination's).
    path("nominations/<int:pk>/form.pdf", form_views.NominationFormPdfView.as_view(), name="nomination-form-pdf"),
    path("competitions/<int:pk>/certificates/issue/", views.IssueView.as_view(), name="certificates-issue"),
    path("public/certificates/", views.PublicCertificateLookupView.as_view(), name="public-certificate-lookup"),
    path("public/certificates/<str:token>/", views.PublicCertificateView.as_view(), name="public-certificate"),
    *router.urls,
]
