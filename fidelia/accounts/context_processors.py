"""What the navigation may offer the signed-in user, from the policies."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from fidelia.accounts import policies
from fidelia.accounts.enums import SensitiveField


def rights(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not user:
        return {}
    return {
        "can_read_parties": policies.can_read_parties(user),
        "can_read_transactions": policies.can_read_parties(user)
        and policies.can_read_sensitive(user, SensitiveField.TRANSACTIONS),
        "can_manage_subject_requests": policies.can_manage_subject_requests(user),
        "can_read_retention": policies.can_read_retention(user),
        "can_view_audit": policies.can_view_audit(user),
        "can_view_analytics": policies.can_view_analytics(user),
        "can_configure_analytics": policies.can_configure_analytics(user),
        "can_import": policies.can_import(user),
        "can_review_duplicates": policies.can_review_duplicates(user),
        "can_export_lists": policies.can_export_lists(user),
        "can_read_bi_feed": policies.can_read_bi_feed(user),
        "can_work_pipeline": policies.can_work_pipeline(user),
        "can_view_sales_reports": policies.can_view_sales_reports(user),
        "can_use_agenda": policies.can_use_agenda(user),
        "can_use_actions": policies.can_use_actions(user),
        "can_work_cases": policies.can_work_cases(user),
        "can_read_knowledge": policies.can_read_knowledge(user),
        "can_view_surveys": policies.can_view_surveys(user),
        "can_view_campaigns": policies.can_view_campaigns(user),
        "can_view_loyalty": policies.can_view_loyalty(user),
    }
