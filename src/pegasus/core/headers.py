"""Security headers on every response: a Content-Security-Policy, a Permissions-Policy, and `Cache-Control: no-store`
on anything that may carry confidential content (Part 2, bids, prices, a supplier's figures).

A small middleware of Pegasus's own rather than a dependency: the policy is one constant, read and tested here.

What the pages need, and so what the policy allows (every script and stylesheet is a file of Pegasus's own origin;
no page has an inline script, an inline event handler or a `style` attribute):

- GOV.UK Frontend: `js/govuk-init.js` (a module that imports and starts it) and `js/js-enabled.js`, both files, so
  `script-src 'self'` needs no nonce and no 'unsafe-inline'.
- htmx: its one inline `<style>` (indicator styles) is turned off in the page's `htmx-config`, as is its `eval`.
- Charts: vega-embed 6.29 ships Vega's CSP-safe expression interpreter (vega-interpreter) and uses it when given
  `ast: true`, so Vega never compiles an expression with `new Function` and `script-src` needs no 'unsafe-eval';
  its injected `<style>` elements (`defaultStyle`, the tooltip's) are turned off and the same rules live in
  `css/charts.css`. Vega draws SVG and sets styles through the CSSOM, which `style-src 'self'` allows.
- The API's own documentation (django-ninja's Swagger UI) is served from static files with no inline script; it draws
  a few icons as `data:` images.

`frame-ancestors 'none'` repeats X-Frame-Options: DENY for browsers that read only the CSP.
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Pegasus uses none of these powerful features; no page, and nothing a page embeds, may ask for them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)
API_PREFIX = "/api/"


def carries_confidential(request) -> bool:
    """Whether the response may hold something that must not be kept in a browser's or a proxy's cache.

    The simplest safe rule: every API response, and every response to a request that carries a session or
    credentials (so every page a signed-in user sees). It reads only the request's headers and cookies: deciding it
    never costs a query.
    """
    return (
        request.path.startswith(API_PREFIX)
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or "HTTP_AUTHORIZATION" in request.META
    )


class SecurityHeadersMiddleware:
    """Adds the CSP and Permissions-Policy to every response (a view may set a stricter CSP of its own), and
    `Cache-Control: no-store` (with `private`) to every response that may carry confidential content."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if carries_confidential(request):
            add_never_cache_headers(response)
        return response
