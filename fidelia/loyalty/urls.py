from django.urls import path

from fidelia.loyalty import views

app_name = "loyalty"
urlpatterns = [
    path("", views.index, name="index"),
    path("programme/", views.programme_edit, name="programme_edit"),
    path("programmes/", views.programme_add, name="programme_add"),
    path("families/", views.family_rule_add, name="family_rule_add"),
    path("families/<int:pk>/", views.family_rule_edit, name="family_rule_edit"),
    path("families/<int:pk>/remove/", views.family_rule_remove, name="family_rule_remove"),
    path("bonuses/", views.bonus_add, name="bonus_add"),
    path("bonuses/<int:pk>/", views.bonus_edit, name="bonus_edit"),
    path("bonuses/<int:pk>/remove/", views.bonus_remove, name="bonus_remove"),
    path("tiers/", views.tier_add, name="tier_add"),
    path("rewards/", views.reward_add, name="reward_add"),
    path("rewards/<int:pk>/toggle/", views.reward_toggle, name="reward_toggle"),
    path("clubs/", views.club_add, name="club_add"),
    path("party/<int:pk>/", views.party_panel, name="party_panel"),
    path("party/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("party/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("party/<int:pk>/refer/", views.refer, name="refer"),
    path("party/<int:pk>/clubs/", views.club_join, name="club_join"),
    path("party/<int:pk>/clubs/<int:club_pk>/leave/", views.club_leave, name="club_leave"),
]
