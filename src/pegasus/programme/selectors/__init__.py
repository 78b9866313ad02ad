"""Selectors of programme control, one module an area: business cases, milestones, RAID, exit plans, the board."""

# What the other domains and the shell read (they import this package, not its modules).
from pegasus.programme.selectors.raid import raid_escalated, top_issues, top_risks  # noqa: E402

__all__ = ["raid_escalated", "top_issues", "top_risks"]
