"""Shared API plumbing: authentication, the one error shape, ETag/If-Match, pagination, input types.

Every error the API returns has the same JSON shape::

    {"error": {"code": "invalid", "message": "...", "fields": {"field": ["message", ...]}}}

with `candidates` added for a possible duplicate. Handlers never build error responses themselves:
they raise (a `DomainError`, `Http404`...) and the handlers registered by `install_error_handlers`
turn the exception into that shape.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from django.apps import apps
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, Header, NinjaAPI, Path, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import AfterValidator, AwareDatetime, StringConstraints

from fidelia.core.errors import DomainError, ErrorCode, StaleVersion, ValidationFailed

MAX_ID = 2**63 - 1          # BigAutoField
MAX_INT = 2**31 - 1         # PositiveIntegerField on PostgreSQL
MIN_DATE = dt.date(1800, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)
MAX_PAGE = 100_000
MAX_PAGE_SIZE = 100


class ApiErrorCode(StrEnum):
    """Codes only the HTTP layer produces; domain codes live in `fidelia.core.errors.ErrorCode`."""

    UNAUTHENTICATED = "unauthenticated"
    MALFORMED = "malformed_request"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    HTTP_ERROR = "http_error"
    TOKEN_SCOPE = "token_scope"
    RATE_LIMITED = "rate_limited"


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RateLimited(Exception):
    """Too many requests: answered 429 with a Retry-After header (seconds)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


# --- input types -----------------------------------------------------------------------------

def _clean_text(value: str) -> str:
    """Refuse what the databases cannot store: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValueError(_("The text contains a NUL character."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("The text is not valid Unicode.")) from None
    return value


def _sane_date(value: dt.date) -> dt.date:
    if not (MIN_DATE <= value <= MAX_DATE):
        raise ValueError(_("The date must be between %(min)s and %(max)s.") % {"min": MIN_DATE, "max": MAX_DATE})
    return value


def _sane_datetime(value: dt.datetime) -> dt.datetime:
    _sane_date(value.date())
    return value


def text(max_length: int) -> Any:
    """A string of at most `max_length` characters that the database can store."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_clean_text)]


Date = Annotated[dt.date, AfterValidator(_sane_date)]
DateTime = Annotated[AwareDatetime, AfterValidator(_sane_datetime)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# Path parameters shared by the routers.
PartyId = Path(..., ge=1, le=MAX_ID, description="Customer id.")
RowId = Path(..., ge=1, le=MAX_ID)
Count = Annotated[int, Field(ge=0, le=MAX_INT)]


# --- the error shape -------------------------------------------------------------------------

class DuplicateCandidateOut(Schema):
    """A possible duplicate; outside the caller's portfolio only the fact is disclosed."""

    party_id: int | None
    display_name: str | None
    reasons: list[str]
    visible: bool


class ErrorDetail(Schema):
    code: str = Field(..., examples=["invalid"])
    message: str
    fields: dict[str, list[str]] = Field(default_factory=dict)
    candidates: list[DuplicateCandidateOut] | None = None


class ErrorOut(Schema):
    """The one error shape of the API."""

    error: ErrorDetail


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """Response documentation for error statuses: `response={200: X, **errors(404, 422)}`."""
    return {code: ErrorOut for code in sorted({400, 401, 422, *codes})}


class PreconditionRequired(DomainError):
    code = ErrorCode.PRECONDITION_REQUIRED
    status = 428


def error_response(api: NinjaAPI, request: HttpRequest, *, status: int, code: str, message: str,
                   fields: dict[str, list[str]] | None = None, **extra: Any) -> HttpResponse:
    body: dict[str, Any] = {"code": str(code), "message": str(message), "fields": fields or {}}
    body.update(extra)
    return api.create_response(request, {"error": body}, status=status)


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """Pydantic location ('body', 'payload', 'emails', 0, 'address') -> 'emails.0.address'."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
        # ninja nests body fields under the parameter name; drop it so fields match the schema
        if loc[0] == "body" and len(parts) > 1:
            parts = parts[1:]
    return ".".join(parts) or "__all__"


def _message(error: dict[str, Any]) -> str:
    msg = str(error.get("msg") or _("This value is not valid."))
    return msg.removeprefix("Value error, ")


def install_error_handlers(api: NinjaAPI) -> None:
    """Map every exception the API can meet to the one error shape."""

    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for err in exc.errors:
            fields.setdefault(_field_name(err.get("loc", ())), []).append(_message(err))
        return error_response(api, request, status=422, code=ErrorCode.INVALID,
                              message=_("Some fields are not valid."), fields=fields)

    def on_domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        status = 412 if isinstance(exc, StaleVersion) else exc.status
        extra: dict[str, Any] = {}
        candidates = getattr(exc, "candidates", None)
        if candidates is not None:
            extra["candidates"] = [
                {"party_id": c.party_id, "display_name": c.display_name, "reasons": list(c.reasons),
                 "visible": c.visible} for c in candidates
            ]
        return error_response(api, request, status=status, code=exc.code, message=exc.message,
                              fields=exc.fields, **extra)

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, status=404, code=ErrorCode.NOT_FOUND,
                              message=_("Not found."))

    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(api, request, status=401, code=ApiErrorCode.UNAUTHENTICATED,
                                  message=_("Authentication required: send “Authorization: Bearer <token>”."))
        response["WWW-Authenticate"] = 'Bearer realm="fidelia"'
        return response

    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {400: ApiErrorCode.MALFORMED, 403: ErrorCode.FORBIDDEN,
                404: ErrorCode.NOT_FOUND}.get(exc.status_code, ApiErrorCode.HTTP_ERROR)
        return error_response(api, request, status=exc.status_code, code=code, message=str(exc))

    def on_rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = error_response(api, request, status=429, code=ApiErrorCode.RATE_LIMITED,
                                  message=_("Too many requests: retry in %(seconds)s seconds.") % {"seconds": exc.retry_after})
        response["Retry-After"] = str(exc.retry_after)
        return response

    api.add_exception_handler(RateLimited, on_rate_limited)
    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(DomainError, on_domain)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(AuthenticationError, on_auth)
    api.add_exception_handler(HttpError, on_http)


class FideliaAPI(NinjaAPI):
    """A NinjaAPI whose routing errors (unknown path, method not allowed) also use the error shape,
    and which tells the authentication which application an endpoint belongs to
    (`request.fidelia_api_app`, the label of the app whose api.py declares it) so that
    application-limited tokens can be checked before anything runs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "view" mode wraps the whole operation, authentication included.
        self.add_decorator(_tag_app_label, mode="view")

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = self._shape_405(pattern.callback)
        urls.append(re_path(r"^.*$", csrf_exempt(self._unknown_path)))
        return urls

    def _shape_405(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if response.status_code != 405:
                return response
            shaped = error_response(self, request, status=405, code=ApiErrorCode.METHOD_NOT_ALLOWED,
                                    message=_("This method is not allowed here."))
            shaped["Allow"] = response.get("Allow", "")
            return shaped

        return wrapper

    def _unknown_path(self, request: HttpRequest) -> HttpResponse:
        return error_response(self, request, status=404, code=ErrorCode.NOT_FOUND,
                              message=_("There is no such API endpoint."))


# --- authentication (the schemes live in fidelia.accounts.api) ---

def _tag_app_label(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap an operation's run() so the request carries the label of the endpoint's app.
    An endpoint whose app cannot be told gets "" (which no application-limited token allows)."""
    operation = getattr(run, "__self__", None)
    view_func = getattr(operation, "view_func", None)
    config = apps.get_containing_app_config(getattr(view_func, "__module__", "") or "")
    label = config.label if config is not None else ""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.fidelia_api_app = label  # type: ignore[attr-defined]
        return run(request, *args, **kwargs)

    return wrapper


def api_app_label(request: HttpRequest) -> str:
    """The label of the app serving this API request ("" when unknown)."""
    return getattr(request, "fidelia_api_app", "")


def current_user(request: HttpRequest) -> Any:
    """The user authenticated for this API request (by token or session)."""
    return request.auth  # type: ignore[attr-defined]


# --- optimistic concurrency ------------------------------------------------------------------

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,12})"?\s*$')


def set_etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = f'"{version}"'


def if_match_version(raw: str | None) -> int:
    """The version named by an If-Match header: missing → 428; not one of our ETags → 412 (stale)."""
    if raw is None or not raw.strip():
        raise PreconditionRequired(_("Send the ETag of the version you edited in an If-Match header."))
    match = _ETAG.match(raw)
    if match is None:
        raise StaleVersion(_("If-Match must carry the ETag returned by a GET of this record."))
    return int(match.group(1))


def etag_documented(status: int = 200) -> dict[str, Any]:
    """`openapi_extra` documenting the ETag header of a versioned record's response."""
    header = {"description": "The record's version; send it back in If-Match to update it.",
              "schema": {"type": "string", "examples": ['"3"']}}
    return {"responses": {status: {"headers": {"ETag": header}}}}


IF_MATCH = Header(None, alias="If-Match",
                  description="The ETag returned by GET. Required: 428 without it, 412 when stale.")


# --- pagination ------------------------------------------------------------------------------

class PageIn(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE, description="Rows per page (at most 100).")


T = TypeVar("T")


class Page(Schema, Generic[T]):
    count: int = Field(..., description="Total number of rows matching the filters.")
    page: int
    page_size: int
    items: list[T]


def paginate(queryset: QuerySet[Any], page: PageIn) -> dict[str, Any]:
    """One COUNT and one page of rows (plus the queryset's prefetches)."""
    offset = (page.page - 1) * page.page_size
    return {"count": queryset.count(), "page": page.page, "page_size": page.page_size,
            "items": list(queryset[offset:offset + page.page_size])}


# --- references ------------------------------------------------------------------------------

M = TypeVar("M", bound=Model)


def resolve(queryset: QuerySet[M], pk: int | None, *, field: str) -> M | None:
    """The row `pk` of `queryset`, None for None; an unknown id is a field error (422), not a 404."""
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        message = _("Unknown id %(id)s.") % {"id": pk}
        raise ValidationFailed(message, fields={field: [message]})
    return obj
