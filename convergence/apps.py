from django.apps import AppConfig


class ConvergenceConfig(AppConfig):
    name = "convergence"
    verbose_name = "Convergence"

    def ready(self) -> None:
        from convergence import checks  # noqa: F401 - registers the production checks
