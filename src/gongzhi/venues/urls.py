from django.urls import path

from . import views

app_name = "venues"
urlpatterns = [
    path("", views.venue_list, name="list"),
    path("new/", views.venue_edit, name="new"),
    path("bookings/", views.bookings, name="bookings"),
    path("bookings/<int:pk>/approve/", views.booking_approve, name="approve"),
    path("bookings/<int:pk>/refuse/", views.booking_refuse, name="refuse"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="cancel"),
    path("<int:pk>/", views.venue_detail, name="detail"),
    path("<int:pk>/edit/", views.venue_edit, name="edit"),
    path("<int:pk>/book/", views.venue_book, name="book"),
]
