from django.urls import path

from pegasus.estate import import_views, views

urlpatterns = [
    path("contracts/", views.contract_list, name="contract-list"),
    path("contracts/export.<str:fmt>", views.contract_export, name="contract-export"),
    path("contracts/new/", views.contract_create, name="contract-create"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract-detail"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract-edit"),
    path(
        "contracts/<int:pk>/options/<int:option_pk>/<str:decision>/",
        views.option_decide,
        name="contract-option-decide",
    ),
    path("contracts/<int:pk>/changes/new/", views.change_create, name="contract-change-create"),
    path(
        "contracts/<int:pk>/changes/<int:change_pk>/<str:action>/",
        views.change_act,
        name="contract-change-act",
    ),
    path("suppliers/", views.supplier_list, name="supplier-list"),
    path("suppliers/new/", views.supplier_create, name="supplier-create"),
    path("suppliers/<int:pk>/", views.supplier_detail, name="supplier-detail"),
    path("suppliers/<int:pk>/edit/", views.supplier_edit, name="supplier-edit"),
    path("towers/", views.tower_list, name="tower-list"),
    path("import/", import_views.import_page, name="import"),
    path("import/template/<slug:kind>.<slug:fmt>", import_views.import_template, name="import-template"),
]
