from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    """Governance records (domain.md §4 mechanism 1, §1.3 T-9): the leadership group's and the liaison
    meetings with their follow-up items. Writes live here; reporting only reads them (through
    governance.selectors)."""

    name = "governance"
    verbose_name = _("工作会议")
