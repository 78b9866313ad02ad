"""The whole site with the savings page at the route the finance pages give it, for the tests of that page."""

from django.urls import path

from pegasus.finance import savings_views
from pegasus.urls import urlpatterns as site

urlpatterns = [path("finance/savings/", savings_views.savings, name="finance-savings"), *site]
