"""Sessions live on the server: signing out, a password change and disabling a user end them there.

Each test captures a real session cookie, acts, then replays the old cookie from a fresh client, as an attacker
who copied it would.
"""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "a-new-long-passphrase-47"
PART2_WORDS = "Illustrative Part 2"


@pytest.fixture
def decision(demo):
    from pegasus.governance.demo import decisions_demo_load
    from pegasus.governance.models import Decision

    decisions_demo_load()
    return Decision.objects.get(reference="PCD 579")


def sign_in(username: str, password: str = PASSWORD) -> tuple[Client, str]:
    client = Client()
    response = client.post("/sign-in/", {"username": username, "password": password})
    assert response.status_code == 302, response.content[:500]
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def replay(cookie: str, path: str):
    """Send an old session cookie from a client that has never signed in."""
    fresh = Client()
    fresh.cookies[settings.SESSION_COOKIE_NAME] = cookie
    return fresh.get(path)


def sessions():
    from pegasus.core.models import UserSession

    return UserSession.objects


def assert_refused(response) -> None:
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")


class TestSignOut:
    def test_a_cookie_replayed_after_sign_out_does_not_read_part_2(self, make_user, decision):
        """The sign-out deletes the session on the server, so a copy of the cookie is worth nothing."""
        # given
        make_user(Role.LEGAL, username="lee")
        client, cookie = sign_in("lee")
        path = f"/decisions/{decision.pk}/"
        assert PART2_WORDS in replay(cookie, path).content.decode()
        # when
        client.post("/sign-out/")
        # then
        assert_refused(replay(cookie, path))
        assert not sessions().exists()

    def test_signing_out_ends_only_that_session(self, make_user, decision):
        """Another browser of the same user stays signed in."""
        make_user(Role.LEGAL, username="lee")
        laptop, _ = sign_in("lee")
        _, phone_cookie = sign_in("lee")
        laptop.post("/sign-out/")
        assert replay(phone_cookie, f"/decisions/{decision.pk}/").status_code == 200


class TestDisabling:
    def test_disabling_a_user_ends_every_session_even_after_they_are_enabled_again(self, make_user, decision):
        """The sessions are deleted, not merely refused while the user is inactive."""
        # given
        user = make_user(Role.LEGAL, username="lee")
        _, first = sign_in("lee")
        _, second = sign_in("lee")
        path = f"/decisions/{decision.pk}/"
        # when
        user.is_active = False
        user.save()
        # then
        assert not sessions().filter(user_id=user.pk).exists()
        user.is_active = True
        user.save()
        assert_refused(replay(first, path))
        assert_refused(replay(second, path))

    def test_disabling_a_user_in_the_admin_ends_their_sessions(self, make_user, decision):
        """The administrator's change form is one of the ways a user is disabled."""
        # given
        user = make_user(Role.LEGAL, username="lee")
        _, cookie = sign_in("lee")
        User.objects.create_superuser("admin", password=PASSWORD)
        admin, _ = sign_in("admin")
        form = admin.get(f"/admin/auth/user/{user.pk}/change/").context["adminform"].form
        data = {name: value for name, value in form.initial.items() if value is not None}
        data.update(
            is_active="",
            groups=[g.pk for g in user.groups.all()],
            user_permissions=[],
            last_login_0="",
            last_login_1="",
            date_joined_0=timezone.localtime(user.date_joined).strftime("%Y-%m-%d"),
            date_joined_1=timezone.localtime(user.date_joined).strftime("%H:%M:%S"),
        )
        data = {k: v for k, v in data.items() if k not in {"password", "is_active"}}
        # when
        response = admin.post(f"/admin/auth/user/{user.pk}/change/", data)
        # then
        assert response.status_code == 302, response.context["adminform"].form.errors
        user.refresh_from_db()
        assert not user.is_active
        user.is_active = True
        user.save()
        assert_refused(replay(cookie, f"/decisions/{decision.pk}/"))

    def test_saving_an_active_user_keeps_their_sessions(self, make_user, decision):
        """Only a change that should end sessions ends them: editing a name does not sign anyone out."""
        user = make_user(Role.LEGAL, username="lee")
        _, cookie = sign_in("lee")
        user.first_name = "Lee"
        user.save()
        assert replay(cookie, f"/decisions/{decision.pk}/").status_code == 200


class TestPasswordChange:
    def test_changing_ones_password_ends_every_other_session_and_keeps_this_one(self, make_user, decision):
        """Whoever changes the password stays signed in; a copied cookie and any other browser are signed out."""
        # given
        make_user(Role.LEGAL, username="lee")
        client, old_cookie = sign_in("lee")
        _, other = sign_in("lee")
        path = f"/decisions/{decision.pk}/"
        # when
        response = client.post(
            "/account/password/",
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        # then
        assert response.status_code == 302
        assert client.get(path).status_code == 200
        assert_refused(replay(old_cookie, path))
        assert_refused(replay(other, path))
        lee = User.objects.get(username="lee")
        assert sessions().filter(user_id=lee.pk).count() == 1
        assert AuditEvent.objects.filter(action="auth.password-change", actor=lee).count() == 1

    def test_a_password_set_by_an_administrator_ends_the_users_sessions(self, make_user, decision):
        """The admin's password form and `pegasus changepassword` both save the user with a new password."""
        user = make_user(Role.LEGAL, username="lee")
        _, cookie = sign_in("lee")
        user.set_password(NEW_PASSWORD)
        user.save()
        assert not sessions().filter(user_id=user.pk).exists()
        assert_refused(replay(cookie, f"/decisions/{decision.pk}/"))

    def test_a_wrong_current_password_changes_nothing(self, make_user):
        user = make_user(Role.LEGAL, username="lee")
        client, _ = sign_in("lee")
        response = client.post(
            "/account/password/",
            {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert response.status_code == 200
        assert "Your old password was entered incorrectly" in response.content.decode()
        user.refresh_from_db()
        assert user.check_password(PASSWORD)

    def test_the_page_needs_sign_in(self, client):
        response = client.get("/account/password/")
        assert response.status_code == 302 and response.url.startswith("/sign-in/")


class TestExpiry:
    def test_clearsessions_removes_expired_sessions_and_keeps_live_ones(self, make_user):
        """`pegasus clearsessions`, run from cron, keeps the table to the sessions that can still be used."""
        make_user(Role.LEGAL, username="lee")
        make_user(Role.FINANCE, username="fin")
        start = timezone.now()
        with time_machine.travel(start, tick=False) as traveller:
            sign_in("lee")
            traveller.shift(timedelta(hours=7))
            _, live = sign_in("fin")
            traveller.shift(timedelta(hours=2))
            call_command("clearsessions")
            assert list(sessions().values_list("session_key", flat=True)) == [live]

    def test_a_session_past_its_age_is_refused(self, make_user, decision):
        make_user(Role.LEGAL, username="lee")
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            _, cookie = sign_in("lee")
            traveller.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
            assert_refused(replay(cookie, f"/decisions/{decision.pk}/"))
