"""Requests within bounds: a body larger than any upload Pegasus takes is refused with 413 before a byte of it is
read, and a form over Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS,
DATA_UPLOAD_MAX_NUMBER_FILES) gets a page that says which limit it broke (413 or 400) instead of Django's bare
"Bad Request". Each upload's own, smaller limit is checked by its form and stated in its hint
(`pegasus.core.intake`).

It runs before any view or the CSRF check reads the body; API requests (JSON bodies) are left to the API. It also
refuses an address whose query holds a NUL: PostgreSQL cannot compare such text, so any page that searches or filters
with it would fail, and no search has a use for it (pages' forms refuse it in their fields already).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.shortcuts import render

from pegasus.core.intake import shortened

REQUEST_TOO_LARGE = (
    "The request is larger than Pegasus takes ({size:,} MB): each upload states its own limit beside it. "
    "Nothing was saved."
)
FIELDS_TOO_LARGE = "The form sent more text than Pegasus takes ({size} MB without files). Nothing was saved."
TOO_MANY_FIELDS = "The form sent more than {count:,} fields. Nothing was saved."
TOO_MANY_FILES = "The form sent more than {count:,} files. Nothing was saved."
NUL_IN_QUERY = "{name}: remove the NUL character (%00) from the address and try again."

_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


def _refused(request, message: str, status: int):
    context = {
        "heading": "The request was refused",
        "advice": "Go back, choose a smaller file or send less, and try again.",
        "extra_errors": [{"message": message}],
    }
    return render(request, "web/refused.html", context, status=status)


class RequestLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.PEGASUS_MAX_REQUEST_BYTES
        if length > limit:
            return _refused(request, REQUEST_TOO_LARGE.format(size=limit // (1024 * 1024)), 413)
        if not request.path.startswith("/api/"):
            for name, values in request.GET.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    return _refused(request, NUL_IN_QUERY.format(name=shortened(name.replace("\x00", ""))), 400)
        if request.method == "POST" and request.content_type in _FORMS and not request.path.startswith("/api/"):
            try:
                request.POST  # noqa: B018 (parsed here, where its limits can be answered clearly)
                request.FILES  # noqa: B018
            except RequestDataTooBig:
                size = f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024):g}"
                return _refused(request, FIELDS_TOO_LARGE.format(size=size), 413)
            except TooManyFieldsSent:
                return _refused(request, TOO_MANY_FIELDS.format(count=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS), 400)
            except TooManyFilesSent:
                return _refused(request, TOO_MANY_FILES.format(count=settings.DATA_UPLOAD_MAX_NUMBER_FILES), 400)
        return self.get_response(request)
