"""Pages of the privacy office: audit viewer, change history, data-subject requests, retention, DPO dashboard."""
from django.urls import path

from fidelia.privacy.views import audit, dpo, retention  # noqa: F401

app_name = "privacy"
urlpatterns = [
    # --- audit (audit viewer, a customer's change history) ---
    path("audit/", audit.audit_list, name="audit"),
    path("audit/export/", audit.audit_download, name="audit_export"),
    path("customers/<int:party_id>/history/", audit.party_history, name="party_history"),
    # --- end audit ---
    # --- dpo (dashboard, data-subject requests, subject exports, retention, suppression) ---
    path("", dpo.dashboard, name="dashboard"),
    path("requests/", dpo.request_list, name="request_list"),
    path("requests/new/", dpo.request_create, name="request_create"),
    path("requests/<int:pk>/", dpo.request_detail, name="request_detail"),
    path("requests/<int:pk>/<slug:action>/", dpo.request_action, name="request_action"),
    path("customers/<int:party_id>/export/", dpo.subject_export, name="subject_export"),
    path("suppression/", dpo.suppression_list, name="suppression"),
    # --- end dpo ---
    # --- retention (register, changes, runs of the retention job) ---
    path("retention/", retention.retention_register, name="retention"),
    path("retention/dry-run/", retention.retention_dry_run, name="retention_dry_run"),
    path("retention/<slug:key>/", retention.retention_edit, name="retention_edit"),
    # --- end retention ---
]
