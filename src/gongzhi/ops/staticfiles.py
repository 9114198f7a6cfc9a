"""What collectstatic publishes in production.

- ``StaticFilesConfig`` replaces ``django.contrib.staticfiles`` in INSTALLED_APPS to leave
  out source maps (3.5 MB that only a developer's browser tools ever ask for) and the
  ReDoc bundle django-ninja ships beside Swagger UI (/api/v1/docs uses Swagger UI only,
  ``api/swagger.html``).
- ``ProductionStaticFilesStorage`` gives every file a hashed name and writes .gz and .br
  beside it (WhiteNoise), which nginx serves as they are with a one-year ``immutable``
  cache. A ``sourceMappingURL`` comment in a CSS or JS file names a map that is no longer
  published, so it is removed instead of failing the hashing.
"""

from __future__ import annotations

from django.contrib.staticfiles.apps import StaticFilesConfig as _StaticFilesConfig
from whitenoise.storage import CompressedManifestStaticFilesStorage

UNPUBLISHED = ["*.map", "ninja/redoc.standalone.js"]


class StaticFilesConfig(_StaticFilesConfig):
    ignore_patterns = [*_StaticFilesConfig.ignore_patterns, *UNPUBLISHED]


class ProductionStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def url_converter(self, name, hashed_files, template=None):
        convert = super().url_converter(name, hashed_files, template)

        def converter(matchobj):
            if matchobj.groupdict().get("url", "").strip().endswith(".map"):
                return ""
            return convert(matchobj)

        return converter
