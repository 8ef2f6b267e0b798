from django.apps import AppConfig


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = "评审、排名与公示"

    def ready(self) -> None:
        from . import guards  # noqa: F401  (registers the phase guards of this app)
