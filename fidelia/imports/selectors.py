"""Reads of the import app, access-checked."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from fidelia.accounts import policies
from fidelia.accounts.enums import Role
from fidelia.accounts.models import User
from fidelia.imports.models import ImportRun, MappingTemplate


def runs_for_user(user: User) -> QuerySet[ImportRun]:
    """Runs `user` may see: administrators see all, other importers their own."""
    if not policies.can_import(user):
        return ImportRun.objects.none()
    qs = ImportRun.objects.select_related("created_by").defer("content")
    return qs if user.role == Role.ADMIN else qs.filter(created_by=user)


def run_get_for_user(*, user: User, pk: Any) -> ImportRun:
    """The run if `user` may see it; Http404 otherwise (existence does not leak)."""
    try:
        return runs_for_user(user).get(pk=int(pk))
    except (ImportRun.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def templates_for(target: str) -> list[tuple[str, str]]:
    """(name, description) of the built-in and saved mapping templates of a kind of data."""
    from fidelia.imports.mapping import BUILTIN_TEMPLATES

    builtin = [(t.name, t.description) for t in BUILTIN_TEMPLATES if t.target == target]
    saved = [(t.name, "") for t in MappingTemplate.objects.filter(target=target)]
    return builtin + saved


ERROR_HEADER = ("row", "column", "value", "message")


def error_file(run: ImportRun) -> bytes:
    """The run's problems as CSV (row, column, value, message), formulas neutralised."""
    from fidelia.core.exports import csv_bytes

    return csv_bytes(ERROR_HEADER, run.errors)
