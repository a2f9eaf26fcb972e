from django.urls import path

from fidelia.portfolio import views

app_name = "portfolio"
urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("grids/", views.grid_list, name="grid_list"),
    path("grids/new/", views.grid_edit, name="grid_create"),
    path("grids/<slug:key>/edit/", views.grid_edit, name="grid_edit"),
    path("radar/", views.radar, name="radar"),
    path("customers/<int:party_id>/", views.customer, name="customer"),
]
