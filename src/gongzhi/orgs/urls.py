from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("posts/", views.posts, name="posts"),
    path("posts/new/<str:level>/<int:node_id>/", views.post_new, name="post_new"),
    path("posts/<int:post_id>/end/", views.post_end, name="post_end"),
    path("posts/<int:post_id>/hand-over/", views.post_hand_over, name="post_hand_over"),
    path("people/resident/<int:resident_id>/", views.resident_posts, name="resident_posts"),
    path("people/login/<int:user_id>/", views.user_posts, name="user_posts"),
    path("teams/", views.teams, name="teams"),
    path("teams/new/", views.team_new, name="team_new"),
    path("teams/<int:team_id>/", views.team, name="team"),
    path("teams/<int:team_id>/members/", views.team_member_add, name="team_member_add"),
    path(
        "teams/<int:team_id>/members/<int:resident_id>/role/",
        views.team_member_role,
        name="team_member_role",
    ),
    path(
        "teams/<int:team_id>/members/<int:resident_id>/remove/",
        views.team_member_remove,
        name="team_member_remove",
    ),
    path("partners/", views.partners, name="partners"),
    path("partners/new/", views.partner_new, name="partner_new"),
    path("partners/<int:unit_id>/", views.partner, name="partner"),
    path("partners/<int:unit_id>/edit/", views.partner_edit, name="partner_edit"),
    path("partners/<int:unit_id>/contacts/", views.partner_contact_add, name="partner_contact_add"),
    path(
        "partners/<int:unit_id>/contacts/<int:contact_id>/remove/",
        views.partner_contact_remove,
        name="partner_contact_remove",
    ),
    path("party/", views.party, name="party"),
    path("party/<int:member_id>/", views.party_member, name="party_member"),
    path("party/<int:member_id>/link/", views.party_member_link, name="party_member_link"),
    path(
        "party/<int:member_id>/unlink/<int:household_id>/",
        views.party_member_unlink,
        name="party_member_unlink",
    ),
]
