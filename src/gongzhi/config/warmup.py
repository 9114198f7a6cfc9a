"""What Django would otherwise do on each process's first request, done once at start.

gunicorn loads the application in its master and forks the workers from it
(``preload_app``), and replaces each worker after ``max_requests``. Django builds the URL
configuration, the translation catalogues and compiled templates lazily, on the first
request a process serves: measured on the city, that first request took 2.3 s (2.2 s of it
importing the API, where django-ninja builds a pydantic model per schema) and the first
page another 0.15 s. Under load a worker is replaced every few seconds, so each of them
paid it again: the HTTP benchmark through the stack served the bare view at less than
half the rate it reached with replacement off. Done here, in the master, every forked
worker starts with it in memory.

Nothing here touches the database: a connection opened before the fork would be shared
by every worker.
"""

import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def warm_up(project: Path | None = None) -> dict[str, int]:
    """Build the URL configuration, load every language's catalogue and compile the
    templates under ``project`` (the package: the project's own). Returns how many
    templates compiled and how many did not."""
    from django.conf import settings
    from django.template import TemplateSyntaxError, engines
    from django.urls import get_resolver
    from django.utils import translation

    resolver = get_resolver()
    # Imports every view module and the API (the expensive part), then fills the reverse
    # lookup tables that {% url %} and reverse() read.
    resolver.url_patterns  # noqa: B018
    resolver.reverse_dict  # noqa: B018

    for code, _name in settings.LANGUAGES:
        translation.trans_real.translation(code)

    project = Path(project or settings.BASE_DIR).resolve()
    compiled = failed = 0
    for engine in engines.all():
        for directory in engine.template_dirs:
            directory = Path(directory).resolve()
            if not directory.is_relative_to(project):
                continue  # third-party templates load on first use, as before
            for path in sorted(directory.rglob("*.html")):
                name = path.relative_to(directory).as_posix()
                try:
                    engine.get_template(name)
                except TemplateSyntaxError:
                    # The page that uses it fails as it would have; the server still starts.
                    failed += 1
                    logger.exception("template %s does not compile", name)
                else:
                    compiled += 1
    return {"templates": compiled, "failed": failed}
