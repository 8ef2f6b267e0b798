from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("nominations", views.NominationViewSet, basename="nomination")

urlpatterns = [
    # The spreadsheet routes (nominations/export/, nominations/import/) come
    # before the router so that "export" is never read as a nomination id.
    path("", include("nominations.api.spreadsheet_urls")),
    path("", include("nominations.api.attachment_urls")),
    *router.urls,
]
