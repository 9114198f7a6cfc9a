"""The Celery application: background work on Redis (imports, text messages, reminders,
key rotation). Start a worker with
``celery -A gongzhi.config.celery worker --concurrency=2 -P prefork`` and the schedule with
``celery -A gongzhi.config.celery beat`` (one beat per deployment, never two).

Without a broker (``make demo``, tests) tasks run inline: ``CELERY_TASK_ALWAYS_EAGER``.
Worker settings (late acknowledgement, one task at a time, time limits) are the
``CELERY_*`` block of settings.py.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings")

app = Celery("gongzhi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _seconds(name: str, default: float) -> float:
    from django.conf import settings

    return float(getattr(settings, name, default))


@app.on_after_configure.connect
def _schedule(sender, **_kwargs) -> None:
    """The schedule lives here, in the repository. Each entry expires after one period: a
    beat that ran while the workers were down does not leave a pile of ticks behind it.
    Overlap is prevented inside the tasks (a cache lock), not by the schedule."""
    tick = _seconds("GONGZHI_TICK_SECONDS", 120)
    sweep = _seconds("GONGZHI_SWEEP_SECONDS", 60)
    sender.conf.beat_schedule = {
        "voices-tick": {
            "task": "gongzhi.voices.tick",
            "schedule": tick,
            "options": {"expires": tick},
        },
        "renewal-tick": {
            "task": "gongzhi.renewal.tick",
            "schedule": tick,
            "options": {"expires": tick},
        },
        "deliberation-tick": {
            "task": "gongzhi.deliberation.tick",
            "schedule": tick,
            "options": {"expires": tick},
        },
        "register-import-sweep": {
            "task": "gongzhi.register.import_sweep",
            "schedule": sweep,
            "options": {"expires": sweep},
        },
        "voices-sms-sweep": {
            "task": "gongzhi.voices.sms_sweep",
            "schedule": sweep,
            "options": {"expires": sweep},
        },
        # The roll-ups behind a subdistrict's or a city's figures (figures.rollups).
        "figures-refresh": {
            "task": "gongzhi.figures.refresh",
            "schedule": _seconds("GONGZHI_ROLLUP_SECONDS", 300),
            "options": {"expires": _seconds("GONGZHI_ROLLUP_SECONDS", 300)},
        },
        # Points earned in year Y lapse at the end of Y+1; daily, so a missed run catches up.
        "points-expire": {
            "task": "gongzhi.points.expire",
            "schedule": 24 * 3600,
            "options": {"expires": 3600},
        },
    }
