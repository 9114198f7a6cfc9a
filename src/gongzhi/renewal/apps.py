from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RenewalConfig(AppConfig):
    name = "gongzhi.renewal"
    label = "renewal"
    verbose_name = _("城市更新")

    def ready(self):
        # Renewal's own resident-input check for closing a phase: a plan round whose
        # opinions are all answered. Other apps register theirs in their own ready().
        from . import inputs

        inputs.register_builtin()
