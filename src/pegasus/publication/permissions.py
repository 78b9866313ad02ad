"""Who may use the market view: staff of the authority read it; commercial officers import into it. The releases
are public, but what the authority watches in the market is its own business, so supplier users do not see it.

Post-award notices: staff read every notice; a supplier user reads the notices of its own contracts only; commercial
officers draft and publish them; a commercial officer or legal checks one (someone other than its drafter, which the
services check). The public reads published notices only, through their OCDS releases.

Open data: anyone reads the OCDS packages and the Open data page; commercial officers and programme directors may
generate the packages again from it.
"""

import rules

from pegasus.core.roles import Role, has_role, is_commercial, is_internal, is_supplier_user
from pegasus.estate.permissions import supplier_ids_of


@rules.predicate
def imports_market_data(user) -> bool:
    return has_role(user, Role.COMMERCIAL_OFFICER)


@rules.predicate
def checks_notices(user) -> bool:
    return has_role(user, Role.COMMERCIAL_OFFICER, Role.LEGAL)


@rules.predicate
def is_own_notice(user, notice) -> bool:
    return notice is not None and is_supplier_user(user) and notice.contract.supplier_id in supplier_ids_of(user)


rules.add_perm("publication.view_market", is_internal)
rules.add_perm("publication.import_market", imports_market_data)
rules.add_perm("publication.view_notices", is_internal | is_supplier_user)
rules.add_perm("publication.view_notice", is_internal | is_own_notice)
rules.add_perm("publication.draft_notice", is_commercial)
rules.add_perm("publication.check_notice", checks_notices)
rules.add_perm("publication.publish_notice", is_commercial)


@rules.predicate
def exports_open_data(user) -> bool:
    return has_role(user, Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR)


rules.add_perm("publication.export_ocds", exports_open_data)
