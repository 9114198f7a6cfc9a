from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "gongzhi.orgs"
    label = "orgs"
    verbose_name = _("组织")

    def ready(self):
        from gongzhi.core import audit

        from .enums import PartnerKind, PostKind, TeamKind, TeamRole

        # The audit log says 楼栋长 and 队长 where the services wrote their codes.
        for choices in (PostKind.choices, TeamKind.choices, PartnerKind.choices):
            audit.register_values("kind", choices)
        audit.register_values("role", TeamRole.choices)
