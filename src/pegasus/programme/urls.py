"""Programme control's pages, under /programme/: each area's views module holds its own routes."""

from pegasus.programme.views import board, cases, exits, milestones, raid

urlpatterns = [*board.urlpatterns, *cases.urlpatterns, *exits.urlpatterns, *milestones.urlpatterns, *raid.urlpatterns]
