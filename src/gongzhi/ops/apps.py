from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the platform: health and readiness, metrics, backups."""

    name = "gongzhi.ops"
    label = "ops"
    verbose_name = "运维"

    def ready(self):
        from celery.signals import task_failure

        from . import metrics

        # Counted in whichever process runs the task: the worker, or inline in the web
        # process when there is no broker.
        task_failure.connect(metrics.task_failed, weak=False, dispatch_uid="gongzhi.ops")
