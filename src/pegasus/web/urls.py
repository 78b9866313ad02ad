from django.contrib.auth import views as auth_views
from django.urls import include, path

from pegasus.web import account, views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon),
    path("sign-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", account.PasswordChangeView.as_view(), name="password-change"),
    path("account/password/done/", account.PasswordChangeDoneView.as_view(), name="password-change-done"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("audit/", views.audit_list, name="audit-list"),
    path("", include("pegasus.estate.urls")),
    path("", include("pegasus.governance.urls")),
    path("", include("pegasus.sourcing.urls")),
    path("", include("pegasus.evaluation.urls")),
    path("", include("pegasus.procurement.urls")),
    path("", include("pegasus.publication.urls")),
    path("", include("pegasus.performance.urls")),
    path("finance/", include("pegasus.finance.urls")),
    path("programme/", include("pegasus.programme.urls")),
]
