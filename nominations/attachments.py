"""Attachment writes (placeholder until the attachment work lands)."""


def attachment_add(*, actor, nomination, upload, kind, caption=""):
    raise NotImplementedError


def attachment_delete(*, actor, attachment):
    raise NotImplementedError
