"""Who may read decisions. Part 2 is OFFICIAL-SENSITIVE [COMMERCIAL] and exempt from publication: staff who
need it to advise or decide read it; evaluators, supplier users and the public never do."""

import rules

from pegasus.core.roles import INTERNAL_ROLES, Role, has_role, is_commercial, is_internal

PART2_READERS = frozenset(INTERNAL_ROLES) - {Role.EVALUATOR}


@rules.predicate
def reads_part2(user) -> bool:
    return has_role(user, *PART2_READERS)


rules.add_perm("governance.view_decision", is_internal)
rules.add_perm("governance.view_part2", reads_part2)


@rules.predicate
def is_originating_officer(user, decision) -> bool:
    return decision is not None and decision.originating_officer_id == user.pk


@rules.predicate
def is_approver(user) -> bool:
    return has_role(user, Role.APPROVER)


# The service decides whether this approver holds the office the scheme names; the page only offers the form.
rules.add_perm("governance.change_decision", is_internal & is_originating_officer)
rules.add_perm("governance.decide_decision", is_approver)

# Staff who write decision papers for the approver; evaluators and auditors read them, approvers decide them.
ORIGINATORS = frozenset({Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR, Role.FINANCE, Role.LEGAL})


@rules.predicate
def originates(user) -> bool:
    return has_role(user, *ORIGINATORS)


rules.add_perm("governance.add_decision", originates)
# The commercial team reviews withheld Part 2s once their exemptions cease, and releases them.
rules.add_perm("governance.release_part2", is_commercial)
# Legal may release a Part 2 before its exemptions cease, recording the public interest decision; the service checks
# the role again, so no page or endpoint can release early for anyone else.


@rules.predicate
def is_legal(user) -> bool:
    return has_role(user, Role.LEGAL)


rules.add_perm("governance.release_part2_early", is_legal)


# Filing what a decision concerns (contracts, procurements) is not changing the paper: its originating officer and the
# programme's commercial leads may do it at any status. The service checks the same roles again.
CONCERNS_FILERS = frozenset({Role.COMMERCIAL_OFFICER, Role.PROGRAMME_DIRECTOR})


@rules.predicate
def files_concerns(user) -> bool:
    return has_role(user, *CONCERNS_FILERS)


rules.add_perm("governance.file_decision_concerns", is_internal & (files_concerns | is_originating_officer))
