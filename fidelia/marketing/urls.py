from django.urls import path

from fidelia.marketing import views

app_name = "marketing"
urlpatterns = [
    path("", views.index, name="index"),
]
