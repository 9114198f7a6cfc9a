from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gongzhi.accounts"
    label = "accounts"
    verbose_name = _("账号")

    def ready(self):
        from gongzhi.core.scoping import register_scope_builder

        from .scopes import build_scope, connect_invalidation

        register_scope_builder(build_scope)
        connect_invalidation()
