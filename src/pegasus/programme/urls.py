"""Programme control's pages, under /programme/: each area's views module holds its own routes."""

from pegasus.programme.views import board, exits, milestones

urlpatterns = [*board.urlpatterns]
urlpatterns += milestones.urlpatterns
urlpatterns += exits.urlpatterns
