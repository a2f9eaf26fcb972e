from django.urls import path

from fidelia.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.edit, name="create"),
    path("suggest/", views.suggest, name="suggest"),
    path("public/", views.public_index, name="public_index"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/use/", views.use, name="use"),
]
