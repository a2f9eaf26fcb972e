from django.urls import path

from fidelia.clv import views

app_name = "clv"
urlpatterns = [
    path("", views.index, name="index"),
]
