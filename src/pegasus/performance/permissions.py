"""Who may see and change supplier performance (django-rules, as for the estate).

Staff of the authority see every supplier's performance; a supplier user sees only its own supplier's (and its
contracts'); commercial officers define SLAs, set the rating rules and upload ticket files; commercial officers and
programme directors set a contract's KPIs (Procurement Act 2023 s52).
"""

import rules

from pegasus.core.roles import Role, has_role, is_commercial, is_internal, is_supplier_user
from pegasus.estate.permissions import is_own_contract, is_own_supplier


@rules.predicate
def sets_kpis(user) -> bool:
    return has_role(user, Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR)


rules.add_perm("performance.view_performance", is_internal | is_supplier_user)
rules.add_perm("performance.view_supplier_performance", is_internal | is_own_supplier)
rules.add_perm("performance.view_contract_performance", is_internal | is_own_contract)
rules.add_perm("performance.change_sla", is_commercial)
rules.add_perm("performance.upload_tickets", is_commercial)
rules.add_perm("performance.change_rating_rules", is_commercial)
rules.add_perm("performance.change_kpis", sets_kpis)
