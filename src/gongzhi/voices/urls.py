from django.urls import path

from . import views

app_name = "voices"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("for/", views.for_pick, name="for_pick"),
    path("for/<int:resident_id>/", views.new_for, name="new_for"),
    path("inbox/", views.inbox, name="inbox"),
    path("measures/", views.measures_page, name="measures"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("events/", views.event_sessions, name="event_sessions"),
    path("events/new/", views.event_session_new, name="event_session_new"),
    path("events/<int:session_id>/", views.event_session_detail, name="event_session"),
    path("events/<int:session_id>/entry/", views.event_entry, name="event_entry"),
    path("events/<int:session_id>/entry/row/", views.event_entry_row, name="event_entry_row"),
    path("partner/", views.partner_inbox, name="partner_inbox"),
    path("partner/<int:pk>/", views.dispatch_detail, name="dispatch"),
    path("partner/<int:pk>/accept/", views.dispatch_accept, name="dispatch_accept"),
    path("partner/<int:pk>/reply/", views.dispatch_reply, name="dispatch_reply"),
    path("partner/<int:pk>/return/", views.dispatch_return, name="dispatch_return"),
    path(
        "partner/<int:pk>/reporters/<int:reporter_id>/phone/",
        views.dispatch_reporter_phone,
        name="dispatch_reporter_phone",
    ),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/done/", views.done, name="done"),
    path("<int:pk>/join/", views.join, name="join"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/photo/<int:attachment_id>/", views.photo, name="photo"),
    path(
        "<int:pk>/photo/<int:attachment_id>/small/", views.photo_thumbnail, name="photo_thumbnail"
    ),
    path("<int:pk>/accept/", views.item_accept, name="accept"),
    path("<int:pk>/escalate/", views.item_escalate, name="escalate"),
    path("<int:pk>/dispatch/", views.item_dispatch, name="dispatch_item"),
    path("<int:pk>/verify/", views.item_verify, name="verify"),
    path("<int:pk>/resolve/", views.item_resolve, name="resolve"),
    path("<int:pk>/visit/", views.item_visit, name="visit"),
    path("<int:pk>/comment/", views.item_comment, name="comment"),
    path("<int:pk>/merge/", views.item_merge, name="merge"),
    path("publication/", views.publication_queue, name="publication_queue"),
    path("<int:pk>/publish/", views.item_publish, name="publish"),
    path("<int:pk>/withhold/", views.item_withhold, name="withhold"),
    path("<int:pk>/supervise/", views.item_supervise, name="supervise"),
    path("<int:pk>/extension/", views.item_extension_request, name="extension_request"),
    path("<int:pk>/extension/decide/", views.item_extension_decide, name="extension_decide"),
    path("<int:pk>/dispatch/joint/", views.item_dispatch_joint, name="dispatch_joint"),
    path("extensions/", views.extension_queue, name="extension_queue"),
]
