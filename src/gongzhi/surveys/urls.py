from django.urls import path

from . import setup_views, views

app_name = "surveys"
urlpatterns = [
    path("", views.campaigns, name="campaigns"),
    path("sw.js", views.service_worker, name="sw"),
    path("<int:pk>/", views.campaign, name="campaign"),
    path("<int:pk>/phone/", views.phone, name="phone"),
    path("<int:pk>/paper/", views.paper, name="paper"),
    path("<int:pk>/export/", views.export, name="export"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/assign/", setup_views.assign, name="assign"),
    path("new/", setup_views.campaign_new, name="campaign_new"),
    path("questionnaires/", setup_views.questionnaires, name="questionnaires"),
    path("questionnaires/<int:pk>/", setup_views.questionnaire, name="questionnaire"),
    path("responses/<int:pk>/review/", views.review, name="review"),
    path("base/", views.base_surveys, name="base_surveys"),
    path("base/new/", setup_views.base_survey_new, name="base_survey_new"),
    path("base/<int:pk>/", views.base_survey, name="base_survey"),
    path("base/<int:pk>/record/", setup_views.building_record, name="building_record"),
    path("logs/", views.visit_logs, name="visit_logs"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.answer, name="answer"),
]
