"""Services of programme control, one module an area: business cases, milestones, RAID, exit plans, the board."""
