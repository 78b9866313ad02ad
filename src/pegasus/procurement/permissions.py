"""Who may do what to procurements: staff of the authority read them; commercial officers and programme directors
change them; supplier users never see them (a procurement may be competing their own contract)."""

import rules

from pegasus.core.roles import Role, has_role, is_internal


@rules.predicate
def runs_procurements(user) -> bool:
    return has_role(user, Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR)


rules.add_perm("procurement.view_procurement", is_internal)
rules.add_perm("procurement.add_procurement", runs_procurements)
rules.add_perm("procurement.change_procurement", runs_procurements)
