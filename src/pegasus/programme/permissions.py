"""Who may see and change programme control (business cases, milestones, RAID, exit plans, the board's report): the
programme director keeps it; commercial, finance and legal officers, approvers and auditors read it; evaluators and
suppliers see nothing of it."""

import rules

from pegasus.core.roles import Role, has_role

EDITORS = (Role.PROGRAMME_DIRECTOR,)
READERS = (*EDITORS, Role.COMMERCIAL_OFFICER, Role.FINANCE, Role.LEGAL, Role.APPROVER, Role.AUDITOR)


@rules.predicate
def reads_programme(user) -> bool:
    return has_role(user, *READERS)


@rules.predicate
def keeps_programme(user) -> bool:
    return has_role(user, *EDITORS)


rules.add_perm("programme.view_programme", reads_programme)
rules.add_perm("programme.change_programme", keeps_programme)
