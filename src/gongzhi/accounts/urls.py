from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("partners/<int:unit_id>/logins/new/", views.partner_user_new, name="partner_user_new"),
    path(
        "partners/<int:unit_id>/logins/<int:user_id>/disable/",
        views.partner_user_disable,
        name="partner_user_disable",
    ),
]
