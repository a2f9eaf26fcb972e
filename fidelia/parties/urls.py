from django.urls import path

from fidelia.parties import views

app_name = "parties"
urlpatterns = [
    path("", views.party_list, name="list"),
    path("search/", views.party_search, name="search"),
    path("new/", views.party_create, name="create"),
    path("duplicates/", views.party_duplicates, name="duplicates"),
    path("organisations/", views.organisation_options, name="organisation_options"),
    path("<int:pk>/", views.party_detail, name="detail"),
    path("<int:pk>/edit/", views.party_edit, name="edit"),
    path("<int:pk>/emails/", views.email_add, name="email_add"),
    path("<int:pk>/phones/", views.phone_add, name="phone_add"),
    path("<int:pk>/addresses/", views.address_add, name="address_add"),
    path("<int:pk>/contact-points/<str:kind>/<int:row_pk>/remove/", views.contact_point_remove, name="contact_point_remove"),
    path("<int:pk>/household/", views.member_add, name="member_add"),
    path("<int:pk>/household/<int:member_pk>/remove/", views.member_remove, name="member_remove"),
    path("<int:pk>/life-events/", views.life_event_add, name="life_event_add"),
    path("<int:pk>/life-events/<int:event_pk>/remove/", views.life_event_remove, name="life_event_remove"),
    path("<int:pk>/consents/", views.consent_add, name="consent_add"),
]
