from django.urls import path

from fidelia.marketing import views

app_name = "marketing"
urlpatterns = [
    path("", views.index, name="index"),
    path("segments/", views.segment_list, name="segments"),
    path("segments/new/", views.segment_create, name="segment_create"),
    path("segments/count/", views.segment_count, name="segment_count"),
    path("segments/<int:pk>/", views.segment_edit, name="segment_edit"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/compare/", views.campaign_compare, name="compare"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/preview/", views.campaign_preview, name="campaign_preview"),
    path("campaigns/<int:pk>/<str:step>/", views.campaign_step, name="campaign_step"),
    path("campaigns/<int:pk>/export.<str:fmt>", views.campaign_export, name="campaign_export"),
    path("customers/<int:pk>/panel/", views.party_panel, name="party_panel"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("r/<str:token>/", views.click, name="click"),
]
