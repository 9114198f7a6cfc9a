from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("community/<int:pk>/", views.community_detail, name="wb-community"),
    path("grid/<int:pk>/", views.grid_detail, name="wb-grid"),
    path("compound/<int:pk>/", views.compound_detail, name="wb-compound"),
    path("building/<int:pk>/", views.building_detail, name="wb-building"),
    path("household/<int:pk>/", views.household_detail, name="wb-household"),
    path("resident/<int:pk>/", views.resident_detail, name="wb-resident"),
    path(
        "resident/<int:pk>/reveal/<str:field_name>/",
        views.resident_reveal,
        name="wb-resident-reveal",
    ),
    path("search/", views.search, name="wb-search"),
]
