from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("certificate-batches", views.BatchViewSet, basename="certificate-batch")
router.register("certificates", views.CertificateViewSet, basename="certificate")

urlpatterns = [
    path("competitions/<int:pk>/certificates/issue/", views.IssueView.as_view(), name="certificates-issue"),
    path("public/certificates/", views.PublicCertificateLookupView.as_view(), name="public-certificate-lookup"),
    path("public/certificates/<str:token>/", views.PublicCertificateView.as_view(), name="public-certificate"),
    *router.urls,
]
