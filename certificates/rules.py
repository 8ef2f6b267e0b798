"""Who may do what with certificates (django-rules predicates).

- the office issues, revokes, reissues, follows batches and downloads
  everything (PDFs and the batch ZIP);
- observers list every certificate and follow batches, but download nothing;
- a unit officer lists and downloads their own unit's certificates;
- everyone (the public) verifies a certificate by its token.

Lists are scoped in ``selectors``; an object outside the scope answers 404.
"""

import rules

from competition.rules import can_read_all, is_office, is_officer


@rules.predicate
def is_own_unit_certificate(user, certificate) -> bool:
    if certificate is None:
        return True  # decided per object
    return bool(user.unit_id) and certificate.award.nomination.unit_id == user.unit_id


can_list_certificates = can_read_all | is_officer
can_download_certificate = is_office | (is_officer & is_own_unit_certificate)

rules.add_perm("certificates.issue", is_office)
rules.add_perm("certificates.view_certificate", can_list_certificates)
rules.add_perm("certificates.download_certificate", can_download_certificate)
rules.add_perm("certificates.revoke_certificate", is_office)
rules.add_perm("certificates.reissue_certificate", is_office)
rules.add_perm("certificates.view_batch", can_read_all)
rules.add_perm("certificates.download_batch", is_office)
