from django.urls import path

from pegasus.sourcing import views

urlpatterns = [
    path("scenarios/", views.scenario_list, name="scenario-list"),
    path("scenarios/compare/", views.scenario_compare, name="scenario-compare"),
    path("scenarios/new/", views.scenario_create, name="scenario-create"),
    path("scenarios/optimise/", views.scenario_optimise, name="scenario-optimise"),
    path("scenarios/baseline/", views.scenario_baseline, name="scenario-baseline"),
    path("scenarios/prices/", views.market_prices, name="market-prices"),
    path("scenarios/prices/template.xlsx", views.market_price_template, name="market-price-template"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario-detail"),
    path("scenarios/<int:pk>/progress/", views.scenario_progress, name="scenario-progress"),
    path("scenarios/<int:pk>/choose/", views.scenario_choose, name="scenario-choose"),
    path("scenarios/<int:pk>/export.<str:fmt>", views.scenario_export, name="scenario-export"),
]
