from django.urls import path

from . import views

app_name = "calendar"
urlpatterns = [
    path("", views.holiday_schedule, name="schedule"),
]
