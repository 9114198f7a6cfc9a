from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "gongzhi.surveys"
    label = "surveys"
    verbose_name = _("入户调查")

    def ready(self):
        # A household survey over a project's buildings counts as resident input for
        # closing a renewal phase (surveys sits above renewal and registers itself).
        from . import inputs

        inputs.register()
