"""Every response carries a Content-Security-Policy and a Permissions-Policy; every response that may hold Part 2,
bids, prices or a supplier's figures (every signed-in page and export, every API answer) is never stored."""

import re

import pytest

from pegasus.core.models import ApiToken
from pegasus.core.roles import Role
from pegasus.estate.models import Contract

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def never_stored(response) -> bool:
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= cache_control


@pytest.fixture
def decisions(demo):
    from pegasus.governance.demo import decisions_demo_load

    decisions_demo_load()
    from pegasus.governance.models import Decision

    return Decision.objects.get(reference="PCD 579")


class TestContentSecurityPolicy:
    def test_a_public_page_has_a_strict_policy(self, client, decisions):
        response = client.get("/public/decisions/")
        csp = directives(response)
        assert csp["default-src"] == ["'self'"]
        assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no nonce needed
        assert csp["style-src"] == ["'self'"]
        assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"] and csp["form-action"] == ["'self'"]

    def test_signed_in_pages_and_the_api_have_it_too(self, signed_in, decisions, client):
        staff, user = signed_in(Role.COMMERCIAL_OFFICER, username="cora")
        assert "script-src 'self'" in staff.get("/contracts/")["Content-Security-Policy"]
        assert "script-src 'self'" in client.get("/api/contracts")["Content-Security-Policy"]

    def test_no_page_has_an_inline_script_or_style(self, signed_in, decisions):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER, username="cora")
        for path in ("/dashboard/", "/contracts/", f"/decisions/{decisions.pk}/", "/decisions/new/", "/towers/"):
            body = client.get(path).content.decode()
            scripts = re.findall(r"<script\b[^>]*>", body)
            # every script is a file, or JSON data (a chart's spec), never code written into the page
            assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts), (path, scripts)
            assert not re.search(r"\son[a-z]+=", body), path
            assert not re.search(r"<[a-z][^>]*\sstyle=", body), path
            assert "<style" not in body, path

    def test_a_permissions_policy_turns_off_powerful_features(self, client, decisions):
        policy = client.get("/public/decisions/")["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy


class TestNoStore:
    """Pages and exports with Part 2, bids or prices, and the API, send Cache-Control: no-store."""

    @pytest.fixture
    def staff(self, signed_in, decisions):
        client, _ = signed_in(Role.COMMERCIAL_OFFICER, username="cora")
        return client

    def test_the_decision_page_with_part2(self, staff, decisions):
        response = staff.get(f"/decisions/{decisions.pk}/")
        assert response.status_code == 200 and "Illustrative Part 2" in response.content.decode()
        assert never_stored(response)

    def test_the_contract_page_and_its_exports(self, staff):
        contract = Contract.objects.order_by("pk").first()
        for path in (f"/contracts/{contract.pk}/", "/contracts/export.csv", "/contracts/export.xlsx"):
            response = staff.get(path)
            assert response.status_code == 200 and never_stored(response), path

    def test_the_evaluation_report(self, staff):
        from pegasus.evaluation.demo import evaluation_demo_load
        from pegasus.evaluation.models import Lot

        evaluation_demo_load()
        lot = Lot.objects.order_by("pk").first()
        response = staff.get(f"/tenders/lots/{lot.pk}/report.xlsx")
        assert response.status_code == 200 and never_stored(response)

    def test_every_api_answer_even_a_refusal(self, client, make_user, decisions):
        user = make_user(Role.COMMERCIAL_OFFICER, username="api")
        _, key = ApiToken.issue(user=user, name="tests")
        answered = client.get("/api/contracts", headers={"Authorization": f"Bearer {key}"})
        refused = client.get("/api/contracts")
        assert answered.status_code == 200 and never_stored(answered)
        assert refused.status_code == 401 and never_stored(refused)

    def test_a_public_page_read_anonymously_may_be_cached(self, client, decisions):
        assert not never_stored(client.get("/public/decisions/"))
