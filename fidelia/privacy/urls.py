"""Pages of the privacy office: audit viewer, change history, data-subject requests, retention, DPO dashboard."""
from django.urls import path

from fidelia.privacy.views import audit, dpo  # noqa: F401

app_name = "privacy"
urlpatterns = [
    # --- audit (audit viewer, a customer's change history) ---
    # --- end audit ---
    # --- dpo (dashboard, data-subject requests, subject exports, retention, suppression) ---
    # --- end dpo ---
]
