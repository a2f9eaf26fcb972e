from django.urls import path

from fidelia.clv import views

app_name = "clv"
urlpatterns = [
    path("", views.index, name="index"),
    path("diagnostics/", views.diagnostics, name="diagnostics"),
    path("diagnostics/<int:pk>/", views.diagnostics, name="diagnostics_run"),
    path("run/", views.run, name="run"),
    path("customers/<int:pk>/", views.party_panel, name="party_panel"),
    path("customers/<int:pk>/efforts/", views.effort_create, name="effort_create"),
    path("efforts/<int:pk>/delete/", views.effort_delete, name="effort_delete"),
]
