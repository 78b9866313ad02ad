"""The Pegasus API: one NinjaAPI, token auth on every operation, and the domain's exceptions mapped once.

ValidationError and RuleViolation become 400, InvalidTransition 409, PermissionDenied 403; every error body is
`{"detail": [{"field": ..., "message": ...}]}` (or `{"detail": "..."}` for 401, 403 and 404).
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as RequestInvalid

from pegasus.api.auth import ApiTokenAuth
from pegasus.api.estate import router as estate_router
from pegasus.api.governance import router as governance_router
from pegasus.core.exceptions import InvalidTransition, RuleViolation

NOT_ALLOWED = "Your role does not allow this."
NOT_AUTHENTICATED = "Send a valid API token: Authorization: Bearer <token>."

# Where ninja says an input was found; dropped from `field` so it names the input as the client sent it.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}

api = NinjaAPI(
    title="Pegasus API",
    version="1",
    description="The ICT estate of the authority: suppliers, service towers, contracts and spend; and its "
    "decisions, drafted, declared, submitted and decided as the scheme of delegation requires (Part 2 only for "
    "the roles that may read it). "
    "Authenticate with `Authorization: Bearer <token>` (make one with `pegasus api_token create`). "
    "Money is a string in pounds with two decimals, on the VAT basis given beside it.",
    auth=ApiTokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", estate_router)
api.add_router("", governance_router)


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
