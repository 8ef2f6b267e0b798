from django.urls import path
from rest_framework.routers import SimpleRouter

from . import attachment_views, console_views, export_views, results_views, views

router = SimpleRouter()
router.register("rounds", views.RoundViewSet, basename="round")
router.register("rounds", results_views.RankingViewSet, basename="round-ranking")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("aggregation-jobs", results_views.AggregationJobViewSet, basename="aggregation-job")
router.register("competitions", results_views.CompetitionResultsViewSet, basename="competition-results")
router.register("objections", results_views.ObjectionViewSet, basename="objection")
# The office console's assignment changes (judging.api.console_views).
router.register("rounds", console_views.RoundConsoleViewSet, basename="round-console")
router.register("assignments", console_views.AssignmentConsoleViewSet, basename="assignment-console")
router.register("categories", console_views.CategoryPanelViewSet, basename="category-panel")

urlpatterns = [
    path("competitions/<int:pk>/pledge/", views.PledgeView.as_view(), name="competition-pledge"),
    path(
        "assignments/<int:pk>/attachments/<int:attachment_pk>/download/",
        attachment_views.AssignmentAttachmentDownloadView.as_view(),
        name="assignment-attachment-download",
    ),
    path("nominations/<int:pk>/conflict/", views.ConflictView.as_view(), name="nomination-conflict"),
    path(
        "public/competitions/<int:pk>/publicity/",
        results_views.PublicPublicityView.as_view(),
        name="public-publicity",
    ),
    path("public/objections/", results_views.PublicObjectionView.as_view(), name="public-objection"),
    path(
        "public/objections/<str:receipt>/",
        results_views.PublicObjectionStatusView.as_view(),
        name="public-objection-status",
    ),
    path(
        "rounds/<int:pk>/ranking/export.xlsx",
        export_views.ranking_export_xlsx,
        name="round-ranking-export-xlsx",
    ),
    path(
        "rounds/<int:pk>/ranking/report.pdf",
        export_views.ranking_report_pdf,
        name="round-ranking-report-pdf",
    ),
    *router.urls,
]
