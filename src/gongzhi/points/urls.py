from django.urls import path

from . import views

app_name = "points"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("shop/", views.shop, name="shop"),
    path("shop/<int:pk>/", views.redeem, name="redeem"),
    path("redemptions/", views.redemptions, name="redemptions"),
    path("redemptions/<int:pk>/hand-over/", views.redemption_hand_over, name="hand_over"),
    path("redemptions/<int:pk>/cancel/", views.redemption_cancel, name="cancel"),
    path("manage/", views.manage, name="manage"),
    path("manage/items/new/", views.item_edit, name="item_new"),
    path("manage/items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("manage/handover/", views.handover_list, name="handover"),
    path("manage/for/", views.serve_pick, name="serve_pick"),
    path("manage/for/<int:resident_id>/", views.serve, name="serve"),
    path("manage/for/<int:resident_id>/redeem/<int:pk>/", views.serve_redeem, name="serve_redeem"),
    path("manage/for/<int:resident_id>/correct/", views.correct, name="correct"),
    path("manage/rules/", views.rule_list, name="rules"),
]
