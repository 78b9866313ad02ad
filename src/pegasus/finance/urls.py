from django.urls import path

from pegasus.finance import savings_views, views

# References and codes may hold a slash ("PO/1001"): they are matched as paths, the longer routes first.
urlpatterns = [
    path("", views.position, name="finance-position"),
    path("savings/", savings_views.savings, name="finance-savings"),
    path("position.xlsx", views.position_export, name="finance-export"),
    path("lines/<path:code>/", views.line, name="finance-line"),
    path("approvals/new/", views.approval_create, name="finance-approval-create"),
    path("approvals/<path:reference>/", views.approval, name="finance-approval"),
    path("commitments/new/", views.commitment_create, name="finance-commitment-create"),
    path("commitments/<path:reference>/cancel/", views.commitment_cancel, name="finance-commitment-cancel"),
    path("commitments/<path:reference>/", views.commitment_edit, name="finance-commitment-edit"),
    path("actuals/new/", views.actual_create, name="finance-actual-create"),
    path("forecasts/", views.forecast_set, name="finance-forecast"),
    path("budget-lines/new/", views.budget_line_create, name="finance-budget-line-create"),
    path("budgets/", views.budget_set, name="finance-budget"),
    path("import/", views.import_page, name="finance-import"),
    path("import/template/<slug:kind>.<slug:fmt>", views.import_template, name="finance-import-template"),
]
