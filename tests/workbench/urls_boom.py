"""The project's URLs and one page that fails, for the 500 page's tests."""

from django.urls import path

from gongzhi.config.urls import urlpatterns as project


def boom(request):
    raise RuntimeError("a bug, not bad input")


urlpatterns = [path("boom/", boom), *project]
