from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from pegasus.core.audit import audit_record
from pegasus.core.management.commands._base import BadInput, PegasusCommand
from pegasus.core.models import ApiToken

NO_SUCH_USER = "no user named {username!r}"
NAME_IN_USE = "{username} already has a live token named {name!r}: revoke it first or choose another name"
NO_SUCH_TOKEN = "{username} has no live token named {name!r}"


class Command(PegasusCommand):
    help = (
        "Issue or revoke API tokens: `api_token create --user USERNAME --name NAME` prints the token once; "
        "`api_token revoke --user USERNAME --name NAME`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser(
            "create", help="issue a token and print it (it is not stored and cannot be shown again)"
        )
        revoke = sub.add_parser("revoke", help="revoke a user's token by its name")
        for action in (create, revoke):
            action.add_argument("--user", required=True, help="the username the token acts as")
            action.add_argument("--name", required=True, help="what the token is for, e.g. 'finance-sync'")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise BadInput(NO_SUCH_USER.format(username=options["user"]))
        name = options["name"].strip()
        if options["action"] == "create":
            self._create(user, name)
        else:
            self._revoke(user, name)

    @transaction.atomic
    def _create(self, user, name: str) -> None:
        if user.api_tokens.filter(name=name, revoked_at__isnull=True).exists():
            raise BadInput(NAME_IN_USE.format(username=user.username, name=name))
        token, key = ApiToken.issue(user=user, name=name)
        audit_record(action="api_token.create", by=None, obj=token, summary=f"Issued API token {name!r} to {user}")
        self.stdout.write(key)
        self.stderr.write(f"Token {name!r} for {user.username}: shown once, keep it safe.")

    @transaction.atomic
    def _revoke(self, user, name: str) -> None:
        live = user.api_tokens.select_for_update().filter(name=name, revoked_at__isnull=True)
        tokens = list(live)
        if not tokens:
            raise BadInput(NO_SUCH_TOKEN.format(username=user.username, name=name))
        live.update(revoked_at=timezone.now())
        for token in tokens:
            audit_record(action="api_token.revoke", by=None, obj=token, summary=f"Revoked API token {name!r} of {user}")
        self.stdout.write(f"Revoked {name!r} for {user.username}")
