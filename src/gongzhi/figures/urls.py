from django.urls import path

from . import views

app_name = "figures"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:key>/", views.rows, name="rows"),
]
