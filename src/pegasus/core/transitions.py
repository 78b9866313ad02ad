"""Guards of state transitions (after data-hub's status validators), the one way every service refuses a change
that the object's current state does not allow: each raises InvalidTransition with the message the user sees.
"""

from collections.abc import Callable, Collection
from typing import Any

from pegasus.core.exceptions import InvalidTransition


def transition_require(allowed: bool, message: str | Callable[[], str]) -> None:
    """InvalidTransition unless the transition is `allowed`; a callable message is built only when it is raised."""
    if not allowed:
        raise InvalidTransition(message() if callable(message) else message)


def status_require(status: str, allowed: Collection[str], message: str, /, **names: Any) -> None:
    """InvalidTransition unless `status` is one of `allowed`; the message is formatted with `status`, `allowed`
    (the allowed statuses in order, joined by "or") and `names`, which may give either in the words of the page."""
    transition_require(
        status in allowed,
        lambda: message.format(**{"status": status, "allowed": " or ".join(sorted(allowed)), **names}),
    )
