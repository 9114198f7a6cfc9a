from django.urls import path

from . import views

app_name = "deliberation"
urlpatterns = [
    path("matters/", views.matters, name="matters"),
    path("matters/new/", views.matter_new, name="matter_new"),
    path("matters/<int:pk>/", views.matter, name="matter"),
    path("matters/<int:pk>/move/", views.matter_move, name="matter_move"),
    path("matters/<int:pk>/visit/", views.matter_visit, name="matter_visit"),
    path("matters/<int:pk>/task/", views.matter_task, name="matter_task"),
    path("matters/<int:pk>/print/", views.matter_print, name="matter_print"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/invite/", views.meeting_invite, name="meeting_invite"),
    path("meetings/<int:pk>/sign-in/", views.meeting_sign_in, name="meeting_sign_in"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/decision/", views.meeting_decision, name="meeting_decision"),
    path("meetings/<int:pk>/minutes.docx", views.meeting_docx, name="meeting_docx"),
    path("meetings/<int:pk>/sheet/", views.meeting_sheet, name="meeting_sheet"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("topics/", views.topics, name="topics"),
    path("topics/<int:pk>/review/", views.topic_review, name="topic_review"),
    path("talents/", views.talents, name="talents"),
    path("talents/<int:pk>/review/", views.talent_review, name="talent_review"),
    path("talents/<int:pk>/consent/", views.talent_consent, name="talent_consent"),
    # Residents' side.
    path("notice/<int:pk>/", views.notice, name="notice"),
    path("notice/<int:pk>/object/", views.objection, name="objection"),
    path("notice/<int:pk>/vote/", views.vote, name="vote"),
    path("propose/", views.propose, name="propose"),
    path("recommend/", views.recommend, name="recommend"),
]
