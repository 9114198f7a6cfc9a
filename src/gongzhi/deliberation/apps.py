from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "gongzhi.deliberation"
    label = "deliberation"
    verbose_name = _("议事协商")

    def ready(self):
        # A meeting about a renewal phase, with its minutes recorded, is resident input for
        # closing the phase (deliberation sits above renewal and registers itself).
        from . import inputs

        inputs.register()
