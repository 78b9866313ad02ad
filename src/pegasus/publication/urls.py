from django.urls import path

from pegasus.publication import open_data_views, views

urlpatterns = [
    path("public/decisions/", views.register, name="public-register"),
    path("public/decisions/feed.atom", views.DecisionsAtomFeed(), name="public-feed-atom"),
    path("public/decisions/feed.json", views.json_feed, name="public-feed-json"),
    path("public/decisions/<int:pk>/", views.decision, name="public-decision"),
    path("public/decisions/<int:pk>/part1.pdf", views.decision_pdf, name="public-decision-pdf"),
    path("public/ocds/releases.json", views.ocds_releases, name="public-ocds-releases"),
    path("public/ocds/records.json", open_data_views.ocds_records, name="public-ocds-records"),
    path("public/open-data/", open_data_views.open_data, name="open-data"),
    path("public/open-data/releases.json", open_data_views.package, {"kind": "releases"}, name="open-data-releases"),
    path("public/open-data/records.json", open_data_views.package, {"kind": "records"}, name="open-data-records"),
    path("open-data/generate/", open_data_views.open_data_generate, name="open-data-generate"),
    path("market/", views.market, name="market"),
    path("market/import/", views.market_import, name="market-import"),
    path("notices/", views.notice_list, name="notice-list"),
    path("notices/new/", views.notice_new, name="notice-new"),
    path("notices/<int:pk>/", views.notice_detail, name="notice-detail"),
    path("notices/<int:pk>/release.json", views.notice_release, name="notice-release"),
    path("notices/<int:pk>/<str:action>/", views.notice_act, name="notice-act"),
]
