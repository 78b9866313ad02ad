"""The one permission check for pages: sign-in first, then the role and object rule (django-rules)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def require_perm(perm: str):
    """Page decorator: anonymous users go to sign in; signed-in users without `perm` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def check_object_perm(user, perm: str, obj) -> None:
    """Raise PermissionDenied unless the user may do `perm` to this object."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied
