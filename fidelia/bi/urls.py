from django.urls import path

from fidelia.bi import views

app_name = "bi"
urlpatterns = [
    path("", views.feed_home, name="feed"),
    path("generate/", views.feed_generate, name="feed_generate"),
    path("feed/<str:name>", views.feed_file, name="feed_file"),
    path("exports/", views.export_list, name="export_list"),
    path("exports/new/", views.export_create, name="export_create"),
    path("exports/<int:pk>/file/", views.export_file, name="export_file"),
]
