"""Reads of the exports and the BI feed, access-checked."""
from __future__ import annotations

from django.db.models import QuerySet

from fidelia.accounts.models import User
from fidelia.bi.models import ExportJob


def export_jobs_for_user(user: User) -> QuerySet[ExportJob]:
    """A user's own export jobs, newest first: nobody sees another user's exports, administrators included."""
    if not (user and user.is_authenticated and user.is_active):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(user=user).order_by("-created_at", "-id")


def export_job_get_for_user(*, user: User, pk: int) -> ExportJob | None:
    return export_jobs_for_user(user).filter(pk=pk).first()
