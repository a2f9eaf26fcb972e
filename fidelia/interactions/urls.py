from django.urls import path

from fidelia.interactions import views

app_name = "interactions"
urlpatterns = [
    path("<int:party_pk>/log/", views.interaction_log, name="log"),
]
