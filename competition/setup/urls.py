"""The year setup pages: /competitions/new/ and /competitions/<pk>/setup/…"""

from django.urls import path

from . import views

app_name = "setup"

urlpatterns = [
    path("new/", views.year_new, name="new"),
    path("<int:pk>/setup/categories/", views.categories, name="categories"),
    path("<int:pk>/setup/categories/<int:category>/", views.category, name="category"),
    path("<int:pk>/setup/rubric/", views.rubric_first, name="rubrics"),
    path("<int:pk>/setup/rubric/<int:category>/", views.rubric, name="rubric"),
    path("<int:pk>/setup/rounds/", views.rounds, name="rounds"),
    path("<int:pk>/setup/issuers/", views.issuers, name="issuers"),
    path("<int:pk>/setup/wording/", views.wording, name="wording"),
    path("<int:pk>/setup/dates/", views.dates, name="dates"),
    path("<int:pk>/setup/issuers/<int:issuer>/seal/", views.seal_upload, name="seal"),
    path("<int:pk>/setup/issuers/<int:issuer>/seal.png", views.seal_image, name="seal-image"),
]
