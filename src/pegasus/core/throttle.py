"""Sign-in throttling rules: when a name may next be tried from an address, and which address a request is from.

Failures are counted per name and address together, so that guessing at someone's name locks neither that person
at their own address nor anyone else at the guesser's. Once a pair has failed `pair_limit` times in the window,
each further try waits `retry_delay` after the pair's last failure: the owner, who has the password, gets in after
the delay however many guesses were made, while a guesser is held to one guess a delay. A slower limit counts all
failures from one address (any names), against one client trying many names.

Plain values in, plain values out; `pegasus.core.sign_in` feeds these rules from django-axes' records.
"""

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Failures:
    """`count` failed sign-ins of one record (a name at an address), the last at `last_at`."""

    last_at: datetime
    count: int


@dataclass(frozen=True)
class ThrottlePolicy:
    pair_limit: int = 5
    retry_delay: timedelta = timedelta(seconds=60)
    address_limit: int = 50
    window: timedelta = timedelta(hours=1)


def sign_in_open_at(
    *, pair: Sequence[Failures], address: Sequence[Failures], now: datetime, policy: ThrottlePolicy
) -> datetime | None:
    """When sign-in for this name from this address may next be tried, or None if it may be tried now.

    `pair` holds the records for this name at this address; `address` every record at the address (pair included).
    Failures older than the window no longer count.
    """
    since = now - policy.window
    pair = [f for f in pair if f.last_at > since]
    address = sorted((f for f in address if f.last_at > since), key=lambda f: f.last_at)
    opens = []
    if sum(f.count for f in pair) >= policy.pair_limit:
        opens.append(max(f.last_at for f in pair) + policy.retry_delay)
    remaining = sum(f.count for f in address)
    if remaining >= policy.address_limit:
        # The address opens when enough of its oldest records have left the window to bring it under the limit.
        for record in address:
            remaining -= record.count
            if remaining < policy.address_limit:
                opens.append(record.last_at + policy.window)
                break
    latest = max(opens, default=None)
    return latest if latest is not None and latest > now else None


def client_address(*, remote_addr: str | None, forwarded_for: str, trusted_proxies: int) -> str | None:
    """The address a request came from, behind `trusted_proxies` reverse proxies (0: the peer itself).

    Each proxy appends the address it received the request from to X-Forwarded-For, and the peer is the innermost
    proxy, so with n trusted proxies the client is X-Forwarded-For's n-th entry from the right; anything further
    left was written by the client and may be made up. A request with fewer entries than that did not pass through
    every proxy, and an entry that is not an address is not believed: both give the peer.
    """
    peer = _counted(remote_addr)
    if trusted_proxies <= 0:
        return peer
    chain = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()] + [remote_addr or ""]
    if len(chain) <= trusted_proxies:
        return peer
    return _counted(chain[-(trusted_proxies + 1)]) or peer


def _counted(address: str | None) -> str | None:
    """The address failures are counted against. One IPv6 subscriber is given a whole /64 (2^64 addresses), so an
    IPv6 address counts as its /64; an IPv4 address, or IPv4 mapped into IPv6, as itself."""
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False).network_address)
    return str(parsed)
