"""`pegasus demo` (what `make run` prints) lists every demo user one may sign in as."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_sign_in_list_names_every_user_the_demo_made(capsys):
    # when the demo loads
    call_command("demo")

    # then every user it made, the tender's second evaluator included, is in the list it prints
    out = capsys.readouterr().out
    listed = {line.split()[0] for line in out.split("Demo sign-ins", 1)[1].splitlines()[1:] if line.strip()}
    assert listed == set(get_user_model().objects.values_list("username", flat=True))
    assert "evaluator2" in listed
