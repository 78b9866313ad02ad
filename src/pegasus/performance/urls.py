from django.urls import path

from pegasus.performance import views

urlpatterns = [
    path("performance/", views.overview, name="performance-overview"),
    path("performance/suppliers/<int:pk>/", views.supplier_page, name="performance-supplier"),
    path("performance/suppliers/<int:pk>/export.<str:fmt>", views.supplier_export, name="performance-export"),
    path("performance/contracts/<int:pk>/", views.scorecard, name="performance-scorecard"),
    path("performance/contracts/<int:pk>/sla/", views.sla_edit, name="performance-sla-edit"),
    path("performance/contracts/<int:pk>/kpis/new/", views.kpi_create, name="performance-kpi-create"),
    path("performance/contracts/<int:pk>/kpis/from-sla/", views.kpis_from_sla, name="performance-kpis-from-sla"),
    path("performance/contracts/<int:pk>/kpis/<int:kpi_pk>/", views.kpi_edit, name="performance-kpi-edit"),
    path("performance/contracts/<int:pk>/kpis/<int:kpi_pk>/remove/", views.kpi_delete, name="performance-kpi-delete"),
    path("performance/handoffs/", views.handoffs, name="performance-handoffs"),
    path("performance/uploads/", views.upload_page, name="performance-upload"),
    path("performance/uploads/<int:pk>/", views.upload_detail, name="performance-upload-detail"),
    path("performance/uploads/<int:pk>/progress/", views.upload_progress, name="performance-upload-progress"),
    path("performance/uploads/<int:pk>/mapping/", views.upload_mapping, name="performance-upload-mapping"),
    path("performance/uploads/<int:pk>/choose/", views.dataset_choose, name="performance-dataset-choose"),
    path("performance/rating-rules/<int:pk>/", views.rating_rules, name="performance-rating-rules"),
]
