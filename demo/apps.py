from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo district's builders and `manage.py seed_demo`; installed by the local and test settings only."""

    name = "demo"
    verbose_name = "演示数据"
