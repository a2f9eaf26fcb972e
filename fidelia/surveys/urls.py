from django.urls import path

from fidelia.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/status/", views.set_status, name="set_status"),
    path("<int:pk>/send/", views.send, name="send"),
    path("party/<int:pk>/", views.party_panel, name="party_panel"),
    path("r/<str:token>/", views.answer, name="answer"),
]
