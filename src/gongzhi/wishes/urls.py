from django.urls import path

from . import views

app_name = "wishes"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("for/", views.for_pick, name="for_pick"),
    path("for/<int:resident_id>/", views.new_for, name="new_for"),
    path("queue/", views.queue, name="queue"),
    path("sponsor/", views.sponsor, name="sponsor"),
    path("wall/", views.wall, name="wall"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/done/", views.done, name="done"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/fulfil/", views.fulfil, name="fulfil"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/thanks/", views.thanks, name="thanks"),
    path("<int:pk>/photo/", views.photo, name="photo"),
]
