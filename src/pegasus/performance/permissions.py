"""Who may see and change supplier performance (django-rules, as for the estate).

Staff of the authority see every supplier's performance; a supplier user sees only its own supplier's (and its
contracts'); commercial officers define SLAs, set the rating rules and upload ticket files.
"""

import rules

from pegasus.core.roles import is_commercial, is_internal, is_supplier_user
from pegasus.estate.permissions import is_own_contract, is_own_supplier

rules.add_perm("performance.view_performance", is_internal | is_supplier_user)
rules.add_perm("performance.view_supplier_performance", is_internal | is_own_supplier)
rules.add_perm("performance.view_contract_performance", is_internal | is_own_contract)
rules.add_perm("performance.change_sla", is_commercial)
rules.add_perm("performance.upload_tickets", is_commercial)
rules.add_perm("performance.change_rating_rules", is_commercial)
