from django.urls import path

from fidelia.service import views

app_name = "service"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.case_new, name="case_new"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("sla/", views.sla_policies, name="sla_policies"),
    path("sla/<int:pk>/", views.sla_policies, name="sla_policy"),
    path("customer/<int:pk>/", views.party_panel, name="party_panel"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/take/", views.case_take, name="case_take"),
    path("<int:pk>/reply/", views.case_reply, name="case_reply"),
    path("<int:pk>/note/", views.case_note, name="case_note"),
    path("<int:pk>/status/", views.case_status, name="case_status"),
    path("<int:pk>/classify/", views.case_classify, name="case_classify"),
    path("<int:pk>/macro/", views.macro, name="macro"),
]
