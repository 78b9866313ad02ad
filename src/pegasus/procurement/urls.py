from django.urls import path

from pegasus.procurement import views

urlpatterns = [
    path("procurements/", views.procurement_list, name="procurement-list"),
    path("procurements/new/", views.procurement_create, name="procurement-create"),
    path("procurements/<int:pk>/", views.procurement_detail, name="procurement-detail"),
    path("procurements/<int:pk>/edit/", views.procurement_edit, name="procurement-edit"),
    path("procurements/<int:pk>/stages/<int:stage_pk>/", views.stage_edit, name="procurement-stage-edit"),
    path("procurements/<int:pk>/stages/<int:stage_pk>/actuals/", views.stage_actuals, name="procurement-stage-actuals"),
    path(
        "procurements/<int:pk>/stages/<int:stage_pk>/estimate/",
        views.stage_estimate_edit,
        name="procurement-stage-estimate",
    ),
]
