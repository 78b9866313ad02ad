"""Sign-in throttling: by name and address together, with a slower limit per address, and a way back in.

Nobody can lock another person out by guessing at their name, from their own address or anyone else's; a user
who knows their password gets in after a short delay however many guesses were made.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from pegasus.core.roles import Role
from pegasus.core.throttle import Failures, ThrottlePolicy, client_address, sign_in_open_at
from pegasus.web.account import clock_time

PASSWORD = "correct-horse-battery"
POLICY = ThrottlePolicy(pair_limit=5, retry_delay=timedelta(seconds=60), address_limit=50, window=timedelta(hours=1))
NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class TestOpenAt:
    """The pure rule: when sign-in for one name from one address opens again, or None if it is open."""

    def test_four_failures_do_not_lock(self):
        pair = [Failures(NOON, 4)]
        assert sign_in_open_at(pair=pair, address=pair, now=NOON, policy=POLICY) is None

    def test_the_fifth_failure_locks_the_pair_for_the_delay_after_the_last(self):
        pair = [Failures(NOON - timedelta(seconds=10), 5)]
        assert sign_in_open_at(pair=pair, address=pair, now=NOON, policy=POLICY) == NOON + timedelta(seconds=50)

    def test_the_pair_opens_once_the_delay_has_passed(self):
        pair = [Failures(NOON - timedelta(seconds=60), 9)]
        assert sign_in_open_at(pair=pair, address=pair, now=NOON, policy=POLICY) is None

    def test_failures_older_than_the_window_do_not_count(self):
        old = [Failures(NOON - timedelta(hours=1, seconds=1), 4), Failures(NOON, 1)]
        assert sign_in_open_at(pair=old, address=old, now=NOON, policy=POLICY) is None

    def test_an_address_is_locked_until_its_oldest_failures_leave_the_window(self):
        # given: 50 failures from one address, for ten names, five each, a minute apart
        start = NOON - timedelta(minutes=30)
        address = [Failures(start + timedelta(minutes=i), 5) for i in range(10)]
        # then: the address opens an hour after the first name's failures, when only 45 are left in the window
        opens = sign_in_open_at(pair=[], address=address, now=NOON, policy=POLICY)
        assert opens == start + timedelta(hours=1)

    def test_the_later_of_the_two_locks_wins(self):
        # the pair opens a minute after its last failure, the address two minutes from now
        address = [Failures(NOON - timedelta(minutes=58), 49), Failures(NOON, 5)]
        opens = sign_in_open_at(pair=address[1:], address=address, now=NOON, policy=POLICY)
        assert opens == NOON + timedelta(minutes=2)
        assert sign_in_open_at(pair=address[1:], address=address[1:], now=NOON, policy=POLICY) == NOON + timedelta(
            minutes=1
        )


class TestClientAddress:
    """Which address a request comes from: the peer's, unless it is one of a known number of trusted proxies."""

    def test_with_no_trusted_proxy_it_is_the_peer_and_forwarded_for_is_ignored(self):
        assert client_address(remote_addr="203.0.113.7", forwarded_for="198.51.100.1", trusted_proxies=0) == (
            "203.0.113.7"
        )

    def test_behind_one_proxy_it_is_the_address_the_proxy_saw(self):
        assert client_address(remote_addr="10.0.0.2", forwarded_for="203.0.113.7", trusted_proxies=1) == ("203.0.113.7")

    def test_addresses_a_client_made_up_before_the_proxy_are_ignored(self):
        forwarded = "198.51.100.1, 203.0.113.7"  # the client sent the first; the proxy appended the second
        assert client_address(remote_addr="10.0.0.2", forwarded_for=forwarded, trusted_proxies=1) == "203.0.113.7"

    def test_behind_two_proxies_it_is_the_address_the_outer_one_saw(self):
        forwarded = "198.51.100.1, 203.0.113.7, 10.0.0.1"
        assert client_address(remote_addr="10.0.0.2", forwarded_for=forwarded, trusted_proxies=2) == "203.0.113.7"

    def test_a_request_that_bypassed_the_proxies_is_its_peer(self):
        assert client_address(remote_addr="203.0.113.9", forwarded_for="", trusted_proxies=1) == "203.0.113.9"

    def test_a_forwarded_entry_that_is_not_an_address_falls_back_to_the_peer(self):
        assert client_address(remote_addr="10.0.0.2", forwarded_for="not-an-ip", trusted_proxies=1) == "10.0.0.2"

    @pytest.mark.parametrize(
        ("address", "counted"),
        [
            ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),
            ("2001:db8:1:2::1", "2001:db8:1:2::"),
            ("::ffff:203.0.113.7", "203.0.113.7"),
        ],
    )
    def test_an_ipv6_address_counts_as_its_64_bit_network(self, address, counted):
        """A single IPv6 subscriber holds a whole /64: changing the last 64 bits is not a new address."""
        assert client_address(remote_addr=address, forwarded_for="", trusted_proxies=0) == counted
        assert client_address(remote_addr="10.0.0.2", forwarded_for=address, trusted_proxies=1) == counted


@pytest.fixture
def users(make_user):
    for role, name in ((Role.LEGAL, "legal"), (Role.AUDITOR, "auditor"), (Role.FINANCE, "finance")):
        make_user(role, username=name)


def attempt(username: str, password: str, address: str = "203.0.113.7", **extra):
    return Client().post("/sign-in/", {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def fail(username: str, times: int, address: str = "203.0.113.7", **extra) -> None:
    for _ in range(times):
        response = attempt(username, "wrong-guess", address, **extra)
        assert response.status_code in {200, 429}


def signed_in(response) -> bool:
    return response.status_code == 302 and not response.url.startswith("/sign-in/")


@pytest.mark.django_db
class TestProbes:
    """The three ways the probe locked people out, each now refused."""

    def test_failures_for_one_name_do_not_lock_another_name_at_the_same_address(self, users):
        fail("legal", 5)
        assert signed_in(attempt("auditor", PASSWORD))

    def test_failures_for_a_name_from_one_address_do_not_lock_it_from_another(self, users):
        fail("finance", 5, address="198.51.100.66")
        assert signed_in(attempt("finance", PASSWORD, address="203.0.113.7"))

    def test_behind_a_proxy_users_are_told_apart_by_the_address_it_forwards(self, users, settings):
        settings.PEGASUS_TRUSTED_PROXIES = 1
        proxy = "10.0.0.2"
        fail("legal", 5, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.66")
        fail("auditor", 5, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.66")
        assert signed_in(attempt("auditor", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7"))
        # a made-up first entry does not move the attacker to a fresh address
        spoofed = attempt("legal", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.66")
        assert spoofed.status_code == 429


@pytest.mark.django_db
class TestGuessersCannotSpreadOut:
    """A guesser gains no fresh count by moving within what is one subscriber's address."""

    def test_failures_from_one_ipv6_network_count_together(self, users):
        fail("legal", 3, address="2001:db8:1:2::1")
        fail("legal", 2, address="2001:db8:1:2::ffff")
        assert attempt("legal", PASSWORD, address="2001:db8:1:2::abcd").status_code == 429
        assert signed_in(attempt("legal", PASSWORD, address="2001:db8:1:3::1"))


@pytest.mark.django_db
class TestTheOwnerGetsBackIn:
    def test_the_right_password_is_refused_during_the_delay_and_accepted_after_it(self, users):
        with time_machine.travel(NOON, tick=False) as clock:
            fail("finance", 5)
            assert attempt("finance", PASSWORD).status_code == 429
            clock.shift(timedelta(seconds=61))
            assert signed_in(attempt("finance", PASSWORD))

    def test_each_wrong_password_after_the_delay_extends_it(self, users):
        with time_machine.travel(NOON, tick=False) as clock:
            fail("finance", 5)
            clock.shift(timedelta(seconds=61))
            fail("finance", 1)  # a guess after the delay is tried, fails and starts the delay again
            clock.shift(timedelta(seconds=30))
            assert attempt("finance", PASSWORD).status_code == 429
            clock.shift(timedelta(seconds=31))
            assert signed_in(attempt("finance", PASSWORD))

    def test_attempts_during_the_delay_do_not_extend_it(self, users):
        """Refused without the password being tried, so an impatient owner does not push their own delay back."""
        with time_machine.travel(NOON, tick=False) as clock:
            fail("finance", 5)
            clock.shift(timedelta(seconds=30))
            fail("finance", 3)
            clock.shift(timedelta(seconds=31))
            assert signed_in(attempt("finance", PASSWORD))

    def test_signing_in_clears_the_count_for_that_name_and_address(self, users):
        with time_machine.travel(NOON, tick=False) as clock:
            fail("finance", 5)
            clock.shift(timedelta(seconds=61))
            assert signed_in(attempt("finance", PASSWORD))
            fail("finance", 4)
            assert signed_in(attempt("finance", PASSWORD))


@pytest.mark.django_db
class TestTheAddressLimit:
    def test_fifty_failures_an_hour_from_one_address_lock_it_for_every_name(self, users):
        with time_machine.travel(NOON, tick=False) as clock:
            for n in range(10):
                fail(f"guess-{n}", 5)
                clock.shift(timedelta(seconds=1))
            assert attempt("auditor", PASSWORD).status_code == 429
            assert signed_in(attempt("auditor", PASSWORD, address="198.51.100.66"))
            clock.shift(timedelta(hours=1))
            assert signed_in(attempt("auditor", PASSWORD))


@pytest.mark.django_db
class TestTheLockoutPage:
    def test_it_is_a_gov_uk_page_that_says_when_to_try_again(self, users):
        with time_machine.travel(NOON, tick=False):
            fail("finance", 5)
            response = attempt("finance", PASSWORD)
        body = response.content.decode()
        assert response.status_code == 429
        assert response["Retry-After"] == "60"
        assert '<h1 class="govuk-heading-xl">' in body and "govuk-template" in body
        # 12:01 UTC on 1 June is 1:01pm in London
        assert "Try again after 1:01pm" in body
        assert 'href="/sign-in/"' in body

    @pytest.mark.parametrize(
        ("at", "shown"),
        [
            (datetime(2026, 1, 5, 9, 0, tzinfo=UTC), "9am"),
            (datetime(2026, 1, 5, 12, 0, tzinfo=UTC), "midday"),
            (datetime(2026, 1, 5, 0, 0, tzinfo=UTC), "midnight"),
            (datetime(2026, 7, 5, 16, 5, tzinfo=UTC), "5:05pm"),  # British Summer Time
        ],
    )
    def test_times_are_written_the_gov_uk_way_in_london(self, at, shown):
        assert clock_time(at) == shown
