from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompoundsConfig(AppConfig):
    name = "gongzhi.compounds"
    label = "compounds"
    verbose_name = _("小区自治")
