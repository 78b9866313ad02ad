"""Who may see and change the programme's money: finance and commercial officers keep the ledgers; the programme
director, approvers and auditors read them; evaluators and suppliers see nothing of them."""

import rules

from pegasus.core.roles import Role, has_role

EDITORS = (Role.FINANCE, Role.COMMERCIAL_OFFICER)
READERS = (*EDITORS, Role.PROGRAMME_DIRECTOR, Role.APPROVER, Role.AUDITOR)


@rules.predicate
def reads_finance(user) -> bool:
    return has_role(user, *READERS)


@rules.predicate
def keeps_finance(user) -> bool:
    return has_role(user, *EDITORS)


rules.add_perm("finance.view_finance", reads_finance)
rules.add_perm("finance.change_finance", keeps_finance)
