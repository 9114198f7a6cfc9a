from django.urls import path

from . import views

app_name = "compounds"
urlpatterns = [
    path("", views.compound_list, name="list"),
    path("on-duty/", views.on_duty, name="on_duty"),
    path("stations/", views.station_list, name="stations"),
    path("stations/<int:station_id>/", views.roster, name="roster"),
    path("shifts/<int:shift_id>/remove/", views.shift_remove, name="shift_remove"),
    path("route/<int:item_id>/", views.route, name="route"),
    path("contracts/<int:contract_id>/end/", views.contract_end, name="contract_end"),
    path("terms/<int:term_id>/end/", views.term_end, name="term_end"),
    path("<int:compound_id>/", views.compound_detail, name="detail"),
    path("<int:compound_id>/terms/", views.term_add, name="term_add"),
    path("<int:compound_id>/members/", views.member_add, name="member_add"),
    path("<int:compound_id>/contracts/", views.contract_add, name="contract_add"),
    path("<int:compound_id>/staff/", views.staff_add, name="staff_add"),
    path("<int:compound_id>/self-management/", views.group_add, name="group_add"),
    path("<int:compound_id>/stewards/", views.steward_add, name="steward_add"),
    path("<int:compound_id>/meetings/", views.meeting_add, name="meeting_add"),
    path("<int:compound_id>/notices/", views.notice_add, name="notice_add"),
    path("<int:compound_id>/polls/", views.poll_add, name="poll_add"),
]
