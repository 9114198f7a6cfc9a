from django.urls import path

from . import views

app_name = "exemplars"
urlpatterns = [
    # Residents (and everyone in the community): published stories and commendations.
    path("", views.stories, name="stories"),
    path("stories/<int:pk>/", views.story, name="story"),
    path("stories/<int:pk>/photos/<int:photo_id>/", views.photo, name="photo"),
    path("commendations/", views.commendations, name="commendations"),
    path("nominate/", views.nominate, name="nominate"),
    # Staff.
    path("review/", views.queue, name="queue"),
    path("review/new/", views.nomination_new, name="nomination_new"),
    path("review/<int:pk>/", views.nomination, name="nomination"),
    path("review/<int:pk>/confirm-nominee/", views.nomination_review, name="nomination_review"),
    path("review/<int:pk>/decide/", views.nomination_decide, name="nomination_decide"),
    path("review/<int:pk>/story/", views.story_new, name="story_new"),
    path("manage/stories/<int:pk>/", views.story_edit, name="story_edit"),
    path("manage/stories/<int:pk>/photos/", views.story_photos, name="story_photos"),
    path("manage/stories/<int:pk>/consent/", views.consent_record, name="consent_record"),
    path(
        "manage/stories/<int:pk>/consent/<int:consent_id>/form/",
        views.consent_photo,
        name="consent_photo",
    ),
    path(
        "manage/stories/<int:pk>/consent/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("manage/stories/<int:pk>/publish/", views.story_publish, name="story_publish"),
    path("manage/stories/<int:pk>/withdraw/", views.story_withdraw, name="story_withdraw"),
    path("manage/stories/<int:pk>/redraft/", views.story_redraft, name="story_redraft"),
    path("manage/commendations/", views.commendations_manage, name="commendations_manage"),
]
