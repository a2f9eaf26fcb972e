from django.urls import path

from fidelia.agenda import views

app_name = "agenda"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.appointment_new, name="new"),
    path("<int:pk>/", views.appointment_detail, name="detail"),
    path("<int:pk>/edit/", views.appointment_edit, name="edit"),
    path("<int:pk>/cancel/", views.appointment_cancel, name="cancel"),
    path("<int:pk>/complete/", views.appointment_complete, name="complete"),
    path("<int:pk>/appointment.ics", views.appointment_ics, name="ics"),
    path("sharing/", views.sharing, name="sharing"),
    path("sharing/<int:pk>/remove/", views.share_remove, name="share_remove"),
    path("feed/rotate/", views.feed_rotate, name="feed_rotate"),
    path("feed/revoke/", views.feed_revoke, name="feed_revoke"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("customer/<int:pk>/", views.party_panel, name="party_panel"),
    path("customers/", views.party_options, name="party_options"),
]
