from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenuesConfig(AppConfig):
    name = "gongzhi.venues"
    label = "venues"
    verbose_name = _("阵地与场地预约")
