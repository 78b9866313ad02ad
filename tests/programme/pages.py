"""What the programme's browser tests start from, on top of the demo estate and its decisions."""


def programme_on_the_estate_load() -> None:
    """The demo procurements and the programme: its business cases, milestones, exit plans and RAID log."""
    from pegasus.procurement.demo import procurements_demo_load
    from pegasus.programme.demo import programme_demo_load

    procurements_demo_load()
    programme_demo_load()


def programme_site_load() -> None:
    """The demo estate and its decisions with the procurements and the programme: a committed site's data."""
    from tests.browser import estate_and_decisions_load

    estate_and_decisions_load()
    programme_on_the_estate_load()
