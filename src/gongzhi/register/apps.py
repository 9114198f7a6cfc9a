from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "gongzhi.register"
    label = "register"
    verbose_name = _("户籍登记导入导出")
