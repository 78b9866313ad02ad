"""The Pegasus API: one NinjaAPI, token auth on every operation, and the domain's exceptions mapped once.

ValidationError, RuleViolation and OutOfBounds become 400, InvalidTransition 409, PermissionDenied 403; every 400,
409 and 422 body is `{"detail": [{"field": ..., "message": ...}]}` (and `{"detail": "..."}` for 401, 403 and 404),
as the OpenAPI document says. Every write runs in one transaction, rolled back when it answers with an error, so a
failure never leaves a change, its audit event or its history behind. Only in development does a 500 carry
the traceback.
"""

import functools
import json
import logging
import traceback

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestInvalid
from ninja.parser import Parser

from pegasus.api.auth import ApiTokenAuth
from pegasus.api.estate import router as estate_router
from pegasus.api.evaluation import router as evaluation_router
from pegasus.api.finance import router as finance_router
from pegasus.api.governance import router as governance_router
from pegasus.api.ocds import router as ocds_router
from pegasus.api.performance import router as performance_router
from pegasus.api.procurement import router as procurement_router
from pegasus.api.publication import router as publication_router
from pegasus.api.schemas import BODY_NOT_AN_OBJECT
from pegasus.api.sourcing import router as sourcing_router
from pegasus.core.exceptions import InvalidTransition, OutOfBounds, RuleViolation

NOT_ALLOWED = "Your role does not allow this."
NOT_AUTHENTICATED = "Send a valid API token: Authorization: Bearer <token>."
BODY_NOT_JSON = "Send the body as a JSON object, in UTF-8."
NINJA_UNPARSABLE = "Cannot parse request body"

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Errors whose bodies the operations document as `Errors` (a list); the others are a `Message`.
LISTED_ERRORS = {400, 422}

logger = logging.getLogger(__name__)


class ObjectParser(Parser):
    """Every JSON body the API reads is an object; a list, a string, a number or null is refused (400)."""

    def parse_body(self, request):
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError(BODY_NOT_AN_OBJECT)
        return data


# Where ninja says an input was found; dropped from `field` so it names the input as the client sent it.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}

api = NinjaAPI(
    title="Pegasus API",
    version="1",
    description="The ICT estate of the authority: suppliers, service towers, contracts and spend; its decisions, "
    "drafted, declared, submitted and decided as the scheme of delegation requires (Part 2 only for the roles that "
    "may read it); post-award notices; the programme's finance; suppliers' performance, rated from the ticket data "
    "(the overview, each supplier's contracts, each contract's scorecard and KPIs); the sourcing scenarios; the "
    "procurement pipeline with its stages and schedule risk; tenders, each role reading what its pages show it "
    "(bidders and prices for commercial officers, an evaluator's own scoring after their declaration, results once "
    "moderated); and the OCDS release and record packages. Every operation checks the same role and object rules as "
    "the page it mirrors: an object the caller may not see is answered 404, like a missing one. "
    "Authenticate with `Authorization: Bearer <token>` (make one with `pegasus api_token create`). "
    "Money is a string in pounds with two decimals, on the VAT basis given beside it.",
    auth=ApiTokenAuth(),
    parser=ObjectParser(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", estate_router)
api.add_router("", governance_router)
api.add_router("", finance_router)
api.add_router("", publication_router)
api.add_router("", performance_router)
api.add_router("", sourcing_router)
api.add_router("", procurement_router)
api.add_router("", evaluation_router)
api.add_router("", ocds_router)


def atomic_write(run):
    """Run a write operation, from authentication to its answer, in one transaction that an error rolls back:
    an exception, a 4xx or a 5xx leaves nothing behind (the change, its audit event, its history)."""

    @functools.wraps(run)
    def wrapped(request, *args, **kwargs):
        if request.method in SAFE_METHODS:
            return run(request, *args, **kwargs)
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)
            return response

    return wrapped


api.add_decorator(atomic_write, mode="view")


def _errors(request, items: list[tuple[str | None, str]], status: int):
    return api.create_response(
        request, {"detail": [{"field": field, "message": message} for field, message in items]}, status=status
    )


@api.exception_handler(DjangoValidationError)
def domain_invalid(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        items = [
            (None if field == NON_FIELD_ERRORS else field, message)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        items = [(None, message) for message in exc.messages]
    return _errors(request, items, 400)


@api.exception_handler(OutOfBounds)
def out_of_bounds(request, exc: OutOfBounds):
    return _errors(request, [(exc.field, str(exc))], 400)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if exc.status_code not in LISTED_ERRORS:
        return api.create_response(request, {"detail": exc.message}, status=exc.status_code)
    # ninja's own 400 for a body it could not parse may quote the parser's internals (with DEBUG on).
    message = BODY_NOT_JSON if str(exc.message).startswith(NINJA_UNPARSABLE) else exc.message
    return _errors(request, [(None, message)], exc.status_code)


@api.exception_handler(Exception)
def server_error(request, exc: Exception):
    """A traceback in the answer helps a developer and helps an attacker more: development only. Elsewhere
    Django logs the error and answers with its plain 500 page."""
    if not (settings.DEBUG and settings.PEGASUS_ENV == "development"):
        raise exc
    logger.exception(exc)
    return HttpResponse(traceback.format_exc(), status=500, content_type="text/plain")


@api.exception_handler(RuleViolation)
def rule_violated(request, exc: RuleViolation):
    return _errors(request, [(None, str(exc))], 400)


@api.exception_handler(InvalidTransition)
def transition_refused(request, exc: InvalidTransition):
    return _errors(request, [(None, str(exc))], 409)


@api.exception_handler(PermissionDenied)
def not_allowed(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": NOT_ALLOWED}, status=403)


@api.exception_handler(AuthenticationError)
def not_authenticated(request, exc: AuthenticationError):
    response = api.create_response(request, {"detail": NOT_AUTHENTICATED}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


def _field(loc: list) -> str | None:
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        location = parts.pop(0)
        # A body schema is one parameter: its name (`payload`) says nothing to the client.
        if location == "body" and parts:
            parts.pop(0)
    return ".".join(str(p) for p in parts) or None


@api.exception_handler(RequestInvalid)
def request_invalid(request, exc: RequestInvalid):
    return _errors(request, [(_field(e.get("loc", [])), e.get("msg", "Invalid")) for e in exc.errors], 422)
