"""The office's results pages (公示, objections, finalising, 表彰名单, statistics), under /judging/office/.

Included by ``judging/urls.py`` into the ``judging`` namespace: ``judging:results-…``.
"""

from django.urls import path

from . import results

urlpatterns = [
    path("competitions/<int:pk>/results/", results.overview, name="results-overview"),
    path("competitions/<int:pk>/publicity/", results.publicity, name="results-publicity"),
    path("competitions/<int:pk>/objections/", results.objections, name="results-objections"),
    path("competitions/<int:pk>/objections/new/", results.objection_new, name="results-objection-new"),
    path("objections/<int:pk>/", results.objection_detail, name="results-objection"),
    path("objections/<int:pk>/resolve/", results.objection_resolve, name="results-objection-resolve"),
    path("objections/<int:pk>/spam/", results.objection_spam, name="results-objection-spam"),
    path("competitions/<int:pk>/finalize/", results.finalize, name="results-finalize"),
    path("competitions/<int:pk>/honours/", results.honours, name="results-honours"),
    path("competitions/<int:pk>/honours.xlsx", results.honours_xlsx, name="results-honours-xlsx"),
    path("competitions/<int:pk>/statistics/", results.statistics, name="results-statistics"),
    path("competitions/<int:pk>/statistics.xlsx", results.statistics_xlsx, name="results-statistics-xlsx"),
]
