from django.urls import path

from . import views

app_name = "renewal"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_new, name="new"),
    path("my/", views.my_building, name="my_building"),
    path("p/<int:pk>/", views.resident_project, name="resident_project"),
    path("p/<int:pk>/opinion/", views.opinion_new, name="opinion_new"),
    path("<int:pk>/", views.project, name="project"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/places/", views.places, name="places"),
    path("<int:pk>/funding/", views.funding_add, name="funding_add"),
    path("<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("<int:pk>/milestones/<int:mid>/done/", views.milestone_done, name="milestone_done"),
    path("<int:pk>/documents/", views.document_add, name="document_add"),
    path("<int:pk>/documents/<int:did>/", views.document, name="document"),
    path("<int:pk>/phases/<int:phase_id>/close/", views.phase_close, name="phase_close"),
    path("<int:pk>/rounds/", views.round_draft, name="round_draft"),
    path("<int:pk>/rounds/<int:number>/publish/", views.round_publish, name="round_publish"),
    path("<int:pk>/rounds/<int:number>/close/", views.round_close, name="round_close"),
    path("<int:pk>/rounds/<int:number>/decide/", views.round_decide, name="round_decide"),
    path("<int:pk>/rounds/<int:number>/notice/", views.notice, name="notice"),
    path("<int:pk>/compare/", views.compare, name="compare"),
    path("<int:pk>/opinions/", views.opinion_enter, name="opinion_enter"),
    path("<int:pk>/opinions/link/", views.opinion_link, name="opinion_link"),
    path("<int:pk>/opinions/<int:oid>/answer/", views.opinion_answer, name="opinion_answer"),
]
