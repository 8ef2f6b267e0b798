from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "荣誉证书"

    def ready(self) -> None:
        # Register the Celery tasks in every process (web, worker, tests, commands):
        # services.dispatch looks them up by name and never imports the task module.
        # A new year copied from last year's keeps each category's certificate design.
        # The issuers and seals of a year with issued certificates cannot change
        # (competition.refusals.issuers_refusal asks what is issued).
        from competition.refusals import register_certificates_in_use
        from competition.setup.services import register_copy_hook

        from . import tasks  # noqa: F401
        from .selectors import issuers_in_use
        from .services.designs import designs_copy

        register_copy_hook(designs_copy)
        register_certificates_in_use(issuers_in_use)
