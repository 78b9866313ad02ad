"""API token auth: who gets in, who is refused, when use is recorded, and the `api_token` command."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from pegasus.core.models import ApiToken, AuditEvent
from pegasus.core.roles import Role
from tests.factories import ContractFactory, SupplierFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2019, 5, 23, 12, 0, tzinfo=UTC)


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def token(make_user):
    """A live token for a commercial officer, and its key."""
    user = make_user(Role.COMMERCIAL_OFFICER)
    return ApiToken.issue(user=user, name="integration")


class TestRefused:
    def test_no_token_is_401_with_a_bearer_challenge(self, client):
        response = client.get("/api/contracts")

        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Bearer"
        assert "Bearer" in response.json()["detail"]

    @pytest.mark.parametrize(
        "header",
        ["Bearer pg_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "pg_no-scheme"],
    )
    def test_a_bad_token_is_401(self, client, token, header):
        response = client.get("/api/contracts", headers={"Authorization": header})

        assert response.status_code == 401

    def test_a_revoked_token_is_401(self, client, token):
        api_token, key = token
        api_token.revoked_at = timezone.now()
        api_token.save()

        assert client.get("/api/contracts", headers=bearer(key)).status_code == 401

    def test_the_token_of_an_inactive_user_is_401(self, client, token):
        api_token, key = token
        api_token.user.is_active = False
        api_token.user.save()

        assert client.get("/api/contracts", headers=bearer(key)).status_code == 401

    def test_a_signed_in_session_is_not_enough(self, signed_in):
        """The API takes tokens only, so a browser session cannot be ridden by another site."""
        client, _ = signed_in(Role.COMMERCIAL_OFFICER)

        assert client.get("/api/contracts").status_code == 401

    def test_a_write_without_a_token_changes_nothing(self, client):
        response = client.post("/api/suppliers", {"name": "Sneaky Ltd"}, content_type="application/json")

        assert response.status_code == 401
        assert not AuditEvent.objects.exists()


class TestAccepted:
    def test_a_live_token_acts_as_its_user(self, client, make_user):
        """A supplier user's token sees that supplier's contracts only."""
        ours = SupplierFactory()
        ContractFactory(reference="C-OURS", supplier=ours)
        ContractFactory(reference="C-THEIRS")
        _, key = ApiToken.issue(user=make_user(Role.SUPPLIER_USER, supplier=ours), name="portal")

        response = client.get("/api/contracts", headers=bearer(key))

        assert response.status_code == 200
        assert [c["reference"] for c in response.json()["items"]] == ["C-OURS"]

    def test_another_live_token_of_the_same_user_still_works_after_one_is_revoked(self, client, token):
        api_token, revoked_key = token
        _, key = ApiToken.issue(user=api_token.user, name="second")
        api_token.revoked_at = timezone.now()
        api_token.save()

        assert client.get("/api/towers", headers=bearer(revoked_key)).status_code == 401
        assert client.get("/api/towers", headers=bearer(key)).status_code == 200

    def test_writes_are_attributed_to_the_tokens_user(self, client, token):
        api_token, key = token

        client.post("/api/suppliers", {"name": "Newco Ltd"}, content_type="application/json", headers=bearer(key))

        assert AuditEvent.objects.get(action="supplier.create").actor == api_token.user


class TestLastUsed:
    def test_first_use_is_recorded(self, client, token):
        api_token, key = token

        with time_machine.travel(NOON, tick=False):
            client.get("/api/towers", headers=bearer(key))

        api_token.refresh_from_db()
        assert api_token.last_used_at == NOON

    def test_use_is_recorded_at_most_once_a_minute(self, client, token):
        api_token, key = token
        with time_machine.travel(NOON, tick=False):
            client.get("/api/towers", headers=bearer(key))

        with time_machine.travel(NOON + timedelta(seconds=59), tick=False):
            client.get("/api/towers", headers=bearer(key))
        api_token.refresh_from_db()
        assert api_token.last_used_at == NOON

        with time_machine.travel(NOON + timedelta(seconds=61), tick=False):
            client.get("/api/towers", headers=bearer(key))
        api_token.refresh_from_db()
        assert api_token.last_used_at == NOON + timedelta(seconds=61)

    def test_a_refused_token_records_no_use(self, client, token):
        api_token, key = token
        api_token.revoked_at = timezone.now()
        api_token.save()

        client.get("/api/towers", headers=bearer(key))

        api_token.refresh_from_db()
        assert api_token.last_used_at is None


class TestOpenApiSecurity:
    def test_every_operation_asks_for_a_bearer_token(self, client):
        document = client.get("/api/openapi.json").json()

        schemes = document["components"]["securitySchemes"]
        assert [(s["type"], s["scheme"]) for s in schemes.values()] == [("http", "bearer")]
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                assert operation.get("security"), f"{method.upper()} {path} is open"


class TestApiTokenCommand:
    def test_create_prints_a_key_that_works_once_shown(self, client, make_user, capsys):
        user = make_user(Role.FINANCE, username="frankie")

        call_command("api_token", "create", "--user", "frankie", "--name", "finance-sync")

        out = capsys.readouterr()
        key = out.out.strip()
        assert key.startswith("pg_")
        assert "shown once" in out.err
        token = ApiToken.objects.get(user=user, name="finance-sync")
        assert token.key_hash == ApiToken.hash_key(key)
        assert key not in token.key_hash
        assert client.get("/api/spend", headers=bearer(key)).status_code == 200
        assert AuditEvent.objects.filter(action="api_token.create", object_id=str(token.pk)).exists()

    def test_revoke_refuses_the_token_from_then_on(self, client, make_user, capsys):
        make_user(Role.FINANCE, username="frankie")
        call_command("api_token", "create", "--user", "frankie", "--name", "finance-sync")
        key = capsys.readouterr().out.strip()

        call_command("api_token", "revoke", "--name", "finance-sync", "--user", "frankie")

        token = ApiToken.objects.get(name="finance-sync")
        assert token.revoked_at is not None
        assert client.get("/api/spend", headers=bearer(key)).status_code == 401
        assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()

    def test_a_name_can_be_reused_once_its_token_is_revoked(self, make_user, capsys):
        make_user(Role.FINANCE, username="frankie")
        call_command("api_token", "create", "--user", "frankie", "--name", "sync")
        call_command("api_token", "revoke", "--user", "frankie", "--name", "sync")

        call_command("api_token", "create", "--user", "frankie", "--name", "sync")

        assert ApiToken.objects.filter(name="sync", revoked_at__isnull=True).count() == 1

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["create", "--user", "nobody", "--name", "x"], "no user named 'nobody'"),
            (["revoke", "--user", "frankie", "--name", "never-made"], "frankie has no live token named 'never-made'"),
            (["create", "--user", "frankie", "--name", "taken"], "already has a live token named 'taken'"),
        ],
    )
    def test_bad_input_exits_2_naming_the_problem(self, args, message, make_user, capsys):
        user = make_user(Role.FINANCE, username="frankie")
        ApiToken.issue(user=user, name="taken")

        with pytest.raises(SystemExit) as exit_:
            call_command("api_token", *args)

        assert exit_.value.code == 2
        assert message in capsys.readouterr().err


def test_every_schema_in_the_document_is_one_class():
    """The document names its schemas by class name: two classes of one name would answer with the other's schema."""
    from ninja import Schema

    from pegasus.api import api as module

    assert module.api  # every router is mounted, so every schema class is imported
    classes: dict[str, set[str]] = {}
    pending = list(Schema.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("pegasus."):
            classes.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: where for name, where in classes.items() if len(where) > 1} == {}
