from django.apps import AppConfig


class NominationsConfig(AppConfig):
    name = "nominations"
    verbose_name = "推荐与资格审查"

    def ready(self) -> None:
        from . import (
            guards,  # noqa: F401  (registers the phase guards of this app)
            tasks,  # noqa: F401  (registers the Celery tasks)
        )
