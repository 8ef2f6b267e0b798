from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "荣誉证书"

    def ready(self) -> None:
        # Register the Celery tasks in every process (web, worker, tests, commands):
        # services.dispatch looks them up by name and never imports the task module.
        from . import tasks  # noqa: F401
