from django.apps import AppConfig


class ExhibitionConfig(AppConfig):
    name = "exhibition"
    verbose_name = "云展馆"

    def ready(self) -> None:
        # The console's badge of the suggestions waiting (judging's navigation may not import this app).
        from . import badges  # noqa: F401
