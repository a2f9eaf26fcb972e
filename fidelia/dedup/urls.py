from django.urls import path

from fidelia.dedup import views

app_name = "dedup"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.pair_detail, name="pair"),
    path("<int:pk>/merge/", views.pair_merge, name="merge"),
    path("<int:pk>/dismiss/", views.pair_dismiss, name="dismiss"),
    path("merges/", views.merge_list, name="merges"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="undo"),
    path("scan/", views.scan_start, name="scan"),
]
