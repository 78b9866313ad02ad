"""System checks for a deployment that Django's own `check --deploy` does not make."""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import Error, register

STATIC_MANIFEST_MISSING = (
    "The static files manifest {name} is not in STATIC_ROOT ({root}): every page will answer 500. "
    "Build the front end (`make static`) and run `pegasus collectstatic --no-input`."
)


@register("staticfiles", deploy=True)
def static_manifest_present(app_configs=None, **kwargs) -> list[Error]:
    """Hashed static files (production) need the manifest that collectstatic writes before any page can render."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    if staticfiles_storage.exists(staticfiles_storage.manifest_name):
        return []
    message = STATIC_MANIFEST_MISSING.format(name=staticfiles_storage.manifest_name, root=settings.STATIC_ROOT)
    return [Error(message, id="pegasus.E001")]
