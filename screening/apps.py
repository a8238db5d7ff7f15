from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = _("评估、定级与走访")

    def ready(self) -> None:
        from cases.hooks import on_minor_moved
        from screening.visits.services.plan import visit_plan_on_move

        # The visit plan follows a move at once, in the move's transaction (issue 10 §5), not at the nightly refresh.
        on_minor_moved(visit_plan_on_move)
