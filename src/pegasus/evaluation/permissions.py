"""Who may do what in an evaluation: django-rules predicates, checked by pages.

Bids are commercial-in-confidence. Commercial officers set tenders up, see every bid and moderate; evaluators reach
only their declaration and scoring pages (the services decide which bids and scores each may read); other staff of
the authority read the results once moderation is complete; supplier users reach no evaluation page at all.
"""

import rules

from pegasus.core.roles import INTERNAL_ROLES, Role, has_role, is_commercial, is_internal

RESULTS_READERS = frozenset(INTERNAL_ROLES) - {Role.EVALUATOR}


@rules.predicate
def is_evaluator(user) -> bool:
    return has_role(user, Role.EVALUATOR)


@rules.predicate
def reads_results(user) -> bool:
    return has_role(user, *RESULTS_READERS)


rules.add_perm("evaluation.view_tender", is_internal)
rules.add_perm("evaluation.manage_tender", is_commercial)
rules.add_perm("evaluation.score", is_evaluator)
rules.add_perm("evaluation.view_results", reads_results)
