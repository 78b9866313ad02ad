from django.urls import path

from pegasus.governance import document_views, views

urlpatterns = [
    path("decisions/", views.decision_list, name="decision-list"),
    path("decisions/new/", views.decision_create, name="decision-create"),
    path("decisions/release-review/", views.release_review, name="release-review"),
    path("decisions/<int:pk>/edit/", views.decision_edit, name="decision-edit"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("decisions/<int:pk>/concerns/", views.decision_concerns, name="decision-concerns"),
    path(
        "decisions/<int:pk>/attachments/<int:attachment_pk>/",
        document_views.part2_attachment,
        name="decision-part2-attachment",
    ),
    path("decisions/<int:pk>/<str:action>/", views.decision_act, name="decision-act"),
]

# The decision form as documents: Part 1 for staff who read decisions, Part 2 only for those who may read it.
urlpatterns += [
    path("decisions/<int:pk>/part1.pdf", document_views.decision_part1_pdf, name="decision-part1-pdf"),
    path("decisions/<int:pk>/part1.docx", document_views.decision_part1_docx, name="decision-part1-docx"),
    path("decisions/<int:pk>/part2.pdf", document_views.decision_part2_pdf, name="decision-part2-pdf"),
    path("decisions/<int:pk>/part2.docx", document_views.decision_part2_docx, name="decision-part2-docx"),
]
