"""Attachment routes under /api/v1/ (uploads are ``nominations/{id}/attachments/``)."""

from django.urls import re_path

from .attachment_views import AttachmentDetailView, AttachmentDownloadView

# Any id segment reaches the view, so a malformed id answers the same JSON 404
# as a missing one (as the router's routes do).
urlpatterns = [
    re_path(
        r"^attachments/(?P<pk>[^/.]+)/download/$",
        AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
    re_path(
        r"^attachments/(?P<pk>[^/.]+)/$",
        AttachmentDetailView.as_view(),
        name="attachment-detail",
    ),
]
