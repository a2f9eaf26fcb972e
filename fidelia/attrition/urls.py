from django.urls import path

from fidelia.attrition import views

app_name = "attrition"
urlpatterns = [
    path("", views.index, name="index"),
    path("settings/", views.settings_edit, name="settings"),
    path("customers/<int:pk>/", views.party_panel, name="party_panel"),
    path("customers/<int:pk>/lost/", views.record_lost, name="record_lost"),
    path("records/<int:pk>/dismiss/", views.record_dismiss, name="record_dismiss"),
]
