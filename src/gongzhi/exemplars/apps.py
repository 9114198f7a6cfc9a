from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExemplarsConfig(AppConfig):
    name = "gongzhi.exemplars"
    label = "exemplars"
    verbose_name = _("微典型")
