from django.apps import AppConfig


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = "评审、排名与公示"

    def ready(self) -> None:
        # The phase guards of this app, and its Celery tasks (the services send them by name).
        from . import guards, tasks  # noqa: F401
