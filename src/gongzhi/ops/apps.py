from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the platform: health and readiness, metrics, backups."""

    name = "gongzhi.ops"
    label = "ops"
    verbose_name = "运维"
