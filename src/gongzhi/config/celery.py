"""The Celery application: background work on Redis (imports, exports, text messages,
reminders). Start a worker with ``celery -A gongzhi.config.celery worker`` and the
schedule with ``celery -A gongzhi.config.celery beat``.

Without a broker (``make demo``, tests) tasks run inline: ``CELERY_TASK_ALWAYS_EAGER``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings")

app = Celery("gongzhi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
