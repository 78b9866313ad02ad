"""The JSON API (django-ninja): token auth, thin endpoints over the estate's selectors and services."""
