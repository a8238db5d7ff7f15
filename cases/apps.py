from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("未成年人台账")

    def ready(self) -> None:
        from celery.signals import task_postrun, task_prerun

        from cases.accesslog.recorder import resume_after_task, suspend_for_task

        # A task run eagerly inside a request (tests, the embedded demo) reads for the system, not the user.
        task_prerun.connect(suspend_for_task, weak=False, dispatch_uid="minorprot_access_suspend")
        task_postrun.connect(resume_after_task, weak=False, dispatch_uid="minorprot_access_resume")

        # A town brought in by the tree import gets its six working groups at once (issue 12 §2; domain.md §5).
        from cases.casework.services.measures import working_groups_ensure
        from tiers.imports.services import on_town_created

        on_town_created(working_groups_ensure)
