from django.urls import path

from . import views

app_name = "mediation"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("from-item/<int:item_id>/", views.from_item, name="from_item"),
    path("follow-ups/<int:follow_up_id>/", views.follow_up, name="follow_up"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/parties/", views.party_add, name="party_add"),
    path("<int:case_id>/sessions/", views.session_add, name="session_add"),
    path("<int:case_id>/conclude/", views.conclude, name="conclude"),
    path("<int:case_id>/signed-copy/", views.signed_copy, name="signed_copy"),
    path("<int:case_id>/signed-copy/photo/", views.signed_copy_photo, name="signed_copy_photo"),
    path("<int:case_id>/agreement.docx", views.agreement, name="agreement"),
]
