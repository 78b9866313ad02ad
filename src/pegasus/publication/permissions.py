"""Who may use the market view: staff of the authority read it; commercial officers import into it. The releases
are public, but what the authority watches in the market is its own business, so supplier users do not see it."""

import rules

from pegasus.core.roles import Role, has_role, is_internal


@rules.predicate
def imports_market_data(user) -> bool:
    return has_role(user, Role.COMMERCIAL_OFFICER)


rules.add_perm("publication.view_market", is_internal)
rules.add_perm("publication.import_market", imports_market_data)
