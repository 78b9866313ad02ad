from django.urls import path

from pegasus.evaluation import views

urlpatterns = [
    path("tenders/", views.tender_list, name="tender-list"),
    path("tenders/new/", views.tender_create, name="tender-create"),
    path("tenders/<int:pk>/", views.tender_detail, name="tender-detail"),
    path("tenders/<int:pk>/declaration/", views.tender_declaration, name="tender-declaration"),
    path("tenders/lots/<int:pk>/setup/", views.lot_setup, name="lot-setup"),
    path("tenders/lots/<int:pk>/scoring/", views.lot_scoring, name="lot-scoring"),
    path("tenders/lots/<int:pk>/moderation/", views.lot_moderation, name="lot-moderation"),
    path("tenders/lots/<int:pk>/results/", views.lot_results, name="lot-results"),
    path("tenders/lots/<int:pk>/report.xlsx", views.lot_report_xlsx, name="lot-report-xlsx"),
    path("tenders/lots/<int:pk>/report.pdf", views.lot_report_pdf, name="lot-report-pdf"),
    path("tenders/lots/<int:pk>/award/", views.lot_award, name="lot-award"),
]
