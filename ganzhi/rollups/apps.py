from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RollupsConfig(AppConfig):
    name = "ganzhi.rollups"
    label = "rollups"
    verbose_name = _("Rollups")

    def ready(self) -> None:
        from ganzhi.rollups import signals

        signals.connect()
