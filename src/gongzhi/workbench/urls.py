from django.urls import path

from . import care, residents, views

urlpatterns = [
    path("", views.home, name="home"),
    path("community/<int:pk>/", views.community_detail, name="wb-community"),
    path("grid/<int:pk>/", views.grid_detail, name="wb-grid"),
    path("compound/<int:pk>/", views.compound_detail, name="wb-compound"),
    path("building/<int:pk>/", views.building_detail, name="wb-building"),
    path("household/<int:pk>/", views.household_detail, name="wb-household"),
    path("household/<int:pk>/residents/new/", residents.resident_new, name="wb-resident-new"),
    path("resident/<int:pk>/", views.resident_detail, name="wb-resident"),
    path("resident/<int:pk>/edit/", residents.resident_edit, name="wb-resident-edit"),
    path("resident/<int:pk>/move-out/", residents.resident_move_out, name="wb-resident-move-out"),
    path("resident/<int:pk>/death/", residents.resident_death, name="wb-resident-death"),
    path(
        "resident/<int:pk>/move-back/", residents.resident_move_back, name="wb-resident-move-back"
    ),
    path("resident/<int:pk>/visits/new/", residents.contact_new, name="wb-resident-visit"),
    path(
        "resident/<int:pk>/reveal/<str:field_name>/",
        views.resident_reveal,
        name="wb-resident-reveal",
    ),
    path("search/", views.search, name="wb-search"),
    path("care/", care.care_list, name="wb-care"),
    path("care/export/", care.care_export, name="wb-care-export"),
]
