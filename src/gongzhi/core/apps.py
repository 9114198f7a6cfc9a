from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongzhi.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        # Registers the ``__any_of`` lookup on every field before a selector uses it.
        from . import query  # noqa: F401
