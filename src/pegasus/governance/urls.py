from django.urls import path

from pegasus.governance import views

urlpatterns = [
    path("decisions/", views.decision_list, name="decision-list"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("decisions/<int:pk>/<str:action>/", views.decision_act, name="decision-act"),
]
