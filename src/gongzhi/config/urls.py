from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from gongzhi.api.api import api

urlpatterns = [
    path("", include("gongzhi.ops.urls")),  # healthz, readyz, metrics
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("gongzhi.accounts.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("open311/v2/", include("gongzhi.open311.urls")),
    path("register/", include("gongzhi.register.urls")),
    path("wishes/", include("gongzhi.wishes.urls")),
    path("venues/", include("gongzhi.venues.urls")),
    path("exemplars/", include("gongzhi.exemplars.urls")),
    path("figures/", include("gongzhi.figures.urls")),
    path("reports/", include("gongzhi.reports.urls")),
    path("mediation/", include("gongzhi.mediation.urls")),
    path("compounds/", include("gongzhi.compounds.urls")),
    path("activities/", include("gongzhi.activities.urls")),
    path("points/", include("gongzhi.points.urls")),
    path("renewal/", include("gongzhi.renewal.urls")),
    path("deliberation/", include("gongzhi.deliberation.urls")),
    path("surveys/", include("gongzhi.surveys.urls")),
    path("voices/", include("gongzhi.voices.urls")),
    path("orgs/", include("gongzhi.orgs.urls")),
    path("audit/", include("gongzhi.core.urls")),
    path("calendar/", include("gongzhi.core.calendar_urls")),
    path("", include("gongzhi.workbench.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
