"""Who may see and shape sourcing scenarios.

Scenarios hold the market prices suppliers gave in confidence, so supplier users never see them (not even their
own: a scenario sets their prices beside their competitors'). Staff of the authority read them; commercial
officers and programme directors build, optimise and choose them and import market prices.
"""

import rules

from pegasus.core.roles import Role, has_role, is_internal


@rules.predicate
def shapes_lots(user) -> bool:
    return has_role(user, Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR)


rules.add_perm("sourcing.view_scenario", is_internal)
rules.add_perm("sourcing.add_scenario", shapes_lots)
rules.add_perm("sourcing.choose_scenario", shapes_lots)
rules.add_perm("sourcing.import_market_prices", shapes_lots)
