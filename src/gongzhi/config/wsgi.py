import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings")
application = get_wsgi_application()

# Once per process that loads the application: the gunicorn master under preload_app, so
# every worker it forks (and every replacement) starts warm. See warmup.py.
from gongzhi.config.warmup import warm_up  # noqa: E402

warm_up()
