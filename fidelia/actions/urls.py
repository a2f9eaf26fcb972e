from django.urls import path

from fidelia.actions import views

app_name = "actions"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/done", views.action_done, name="done"),
    path("<int:pk>/snooze", views.action_snooze, name="snooze"),
    path("<int:pk>/dismiss", views.action_dismiss, name="dismiss"),
    path("new/<int:party_pk>", views.action_new, name="new"),
    path("party/<int:pk>", views.party_panel, name="party_panel"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/new", views.rule_edit, name="rule_new"),
    path("rules/<int:pk>", views.rule_edit, name="rule_edit"),
    path("rules/preview", views.rule_preview, name="rule_preview"),
    path("rules/refresh", views.refresh, name="refresh"),
    path("stats/", views.stats, name="stats"),
]
