"""A URLconf for tests/ops/test_health.py: /healthz through a view the test replaces."""

from django.urls import path

from gongzhi.ops import views

urlpatterns = [path("healthz", lambda request: views.healthz(request))]
