"""Mounted inside ``api_v1`` by config/urls.py: ``path("", include("exhibition.api.urls"))``."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("exhibits", views.ExhibitViewSet, basename="exhibit")

PUBLIC = "public/exhibition"

urlpatterns = [
    path(f"{PUBLIC}/projects/", views.ProjectListView.as_view(), name="exhibition-projects"),
    path(f"{PUBLIC}/projects/<slug:slug>/", views.ProjectDetailView.as_view(), name="exhibition-project"),
    path(f"{PUBLIC}/organizations/", views.OrganizationListView.as_view(), name="exhibition-organizations"),
    path(
        f"{PUBLIC}/organizations/<slug:slug>/",
        views.OrganizationDetailView.as_view(),
        name="exhibition-organization",
    ),
    path(f"{PUBLIC}/persons/", views.PersonListView.as_view(), name="exhibition-persons"),
    path(f"{PUBLIC}/persons/<slug:slug>/", views.PersonDetailView.as_view(), name="exhibition-person"),
    path(f"{PUBLIC}/communities/", views.CommunityListView.as_view(), name="exhibition-communities"),
    path(f"{PUBLIC}/communities/<slug:slug>/", views.CommunityDetailView.as_view(), name="exhibition-community"),
    path(f"{PUBLIC}/years/", views.YearsView.as_view(), name="exhibition-years"),
    path(
        "competitions/<int:pk>/exhibition/publish/",
        views.PublishView.as_view(),
        name="exhibition-publish",
    ),
    *router.urls,
]
