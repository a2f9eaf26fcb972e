from django.urls import path

from fidelia.actions import views

app_name = "actions"
urlpatterns = [
    path("", views.index, name="index"),
]
