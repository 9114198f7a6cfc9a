from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.near, name="near"),
    path("mine/", views.mine, name="mine"),
    path("qr/", views.my_qr, name="qr"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sign-up/", views.sign_up, name="sign_up"),
    path("<int:pk>/sign-up/cancel/", views.sign_up_cancel, name="sign_up_cancel"),
    path("<int:pk>/quiz/", views.quiz, name="quiz"),
    path("<int:pk>/check-in/", views.check_in, name="check_in"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.edit, name="new"),
    path("manage/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("manage/<int:pk>/edit/", views.edit, name="edit"),
    path("manage/<int:pk>/publish/", views.publish, name="publish"),
    path("manage/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("manage/<int:pk>/finish/", views.finish, name="finish"),
    path("manage/<int:pk>/questions/", views.question_add, name="question_add"),
    path("groups/", views.groups, name="groups"),
    path("groups/new/", views.group_new, name="group_new"),
    path("groups/<int:pk>/", views.group, name="group"),
    path("groups/<int:pk>/members/", views.group_member_add, name="group_member_add"),
]
