from django.urls import path

from fidelia.attrition import views

app_name = "attrition"
urlpatterns = [
    path("", views.index, name="index"),
]
