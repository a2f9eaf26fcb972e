from django.urls import path

from fidelia.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("<int:pk>/", views.run_detail, name="run_detail"),
    path("<int:pk>/start/", views.run_start, name="run_start"),
    path("<int:pk>/cancel/", views.run_cancel, name="run_cancel"),
    path("<int:pk>/resume/", views.run_resume, name="run_resume"),
    path("<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("<int:pk>/errors.csv", views.run_errors, name="run_errors"),
]
