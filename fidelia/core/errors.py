"""Domain errors: services raise them, views and API turn them into messages and one JSON shape."""
from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    STALE = "stale_version"
    PRECONDITION_REQUIRED = "precondition_required"
    FORBIDDEN = "forbidden"
    DUPLICATE = "possible_duplicate"
    FIELD_FORBIDDEN = "field_forbidden"


class DomainError(Exception):
    code: ErrorCode = ErrorCode.INVALID
    status: int = 400

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(DomainError):
    code = ErrorCode.INVALID
    status = 422


class StaleVersion(DomainError):
    """The client edited an old version of the record: nothing was written."""

    code = ErrorCode.STALE
    status = 409


class PermissionDenied(DomainError):
    code = ErrorCode.FORBIDDEN
    status = 403
