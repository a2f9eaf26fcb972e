from django.urls import path

from fidelia.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("pareto/", views.pareto, name="pareto"),
    path("abc/", views.abc, name="abc"),
    path("rfm/", views.rfm, name="rfm"),
    path("frat/", views.frat, name="frat"),
    path("migrations/", views.migrations, name="migrations"),
    path("customers/<int:pk>/", views.party_analytics, name="party_analytics"),
]
