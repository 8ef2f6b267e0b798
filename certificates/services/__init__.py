"""Issuing, rendering, revoking and reissuing certificates.

Every write and state change is here, keyword-only, in a transaction, with
its audit entry. One module per concern; callers keep using
``from certificates import services`` and ``services.<name>``:

- ``wording``: what a certificate says (holder, wording, issuers, the data printed);
- ``issue``: numbering and ``certificates_issue`` (queues a batch, sends it on commit);
- ``dispatch``: handing a batch to Celery by task name, and the outbox drain
  (the services never import ``certificates.tasks``; the tasks import the
  services inside their bodies);
- ``worker``: what the render task runs (``item_render``, ``item_fail``);
- ``archive``: the finished batch's ZIP and its listing;
- ``revoke``: revoking and reissuing one certificate;
- ``designs``: a category's design, rendering with it, previews, sample seals.
"""

from .archive import batch_finish, csv_cell
from .designs import (
    background_jpeg,
    design_for,
    render_certificate_pdf,
    sample_data,
    sample_seals_attach,
    template_check,
    template_preview,
    template_save,
)
from .dispatch import batch_check_finished, batch_send, outbox_drain
from .issue import batch_chars, certificates_issue, new_token
from .revoke import REASON_MAX, certificate_reissue, certificate_revoke
from .wording import (
    DEFAULT_WORDING,
    certificate_data,
    holder_parts,
    issuer_data,
    stored_bytes,
    wording,
)
from .worker import error_message, item_attempts, item_fail, item_render, items_render

__all__ = [
    "DEFAULT_WORDING",
    "REASON_MAX",
    "background_jpeg",
    "batch_chars",
    "batch_check_finished",
    "batch_finish",
    "batch_send",
    "certificate_data",
    "certificate_reissue",
    "certificate_revoke",
    "certificates_issue",
    "csv_cell",
    "design_for",
    "error_message",
    "holder_parts",
    "issuer_data",
    "item_attempts",
    "item_fail",
    "item_render",
    "items_render",
    "new_token",
    "outbox_drain",
    "render_certificate_pdf",
    "sample_data",
    "sample_seals_attach",
    "stored_bytes",
    "template_check",
    "template_preview",
    "template_save",
    "wording",
]
