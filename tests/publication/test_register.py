"""The public register: approved decisions' Part 1 from the day it may be published, searchable, with feeds."""

import json
import xml.etree.ElementTree as ET
from datetime import date

import pytest
import time_machine

from pegasus.core.roles import Role
from pegasus.governance import services

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


class TestRegister:
    def test_lists_approved_decisions_only(self, client, make_decision):
        approved = make_decision("approved", title="Approved award")
        for state in ("draft", "submitted", "rejected", "withdrawn"):
            make_decision(state, title=f"A {state} paper")
        response = client.get("/public/decisions/")
        assert [d.pk for d in response.context["page"]] == [approved.pk]
        body = response.content.decode()
        for state in ("draft", "submitted", "rejected", "withdrawn"):
            assert f"A {state} paper" not in body

    @pytest.mark.parametrize("state", ["draft", "submitted", "rejected", "withdrawn"])
    def test_an_unpublished_decision_is_not_found(self, state, client, make_decision):
        decision = make_decision(state)
        assert client.get(f"/public/decisions/{decision.pk}/").status_code == 404

    def test_search_matches_reference_title_and_summary(self, client, make_decision):
        make_decision("approved", reference="PCD 579", title="Pegasus Programme")
        make_decision("approved", reference="PCD 580", title="Estates", executive_summary="Office moves in Lambeth.")
        search = lambda q: [d.reference for d in client.get("/public/decisions/", {"q": q}).context["page"]]  # noqa: E731
        assert search("PCD 579") == ["PCD 579"]
        assert search("pegasus") == ["PCD 579"]
        assert search("lambeth") == ["PCD 580"]
        assert search("nothing-like-this") == []

    def test_search_never_looks_inside_part2(self, client, make_decision):
        make_decision("approved", part2="Bidder Zephyrine priced lowest.")
        assert list(client.get("/public/decisions/", {"q": "Zephyrine"}).context["page"]) == []

    def test_detail_shows_part1_and_says_part2_is_withheld(self, client, make_decision):
        decision = make_decision("approved", introduction="Networks are renewed in 2020.", part2="Bid prices.")
        body = client.get(f"/public/decisions/{decision.pk}/").content.decode()
        assert "Networks are renewed in 2020." in body
        assert "Award the network contract" in body
        assert "exempt from publication under s43 (Commercial interests)" in body
        assert "Bid prices." not in body

    def test_the_public_pdf_holds_part1_only(self, client, make_decision):
        import io

        from pypdf import PdfReader

        decision = make_decision("approved", introduction="Networks are renewed in 2020.", part2="Bid prices.")
        response = client.get(f"/public/decisions/{decision.pk}/part1.pdf")
        assert response["Content-Type"] == "application/pdf"
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
        assert "Networks are renewed in 2020." in text and "Award the network contract" in text
        assert "Bid prices." not in text
        assert client.get(f"/public/decisions/{make_decision('submitted').pk}/part1.pdf").status_code == 404

    def test_a_released_part2_is_published(self, client, make_decision, make_user):
        decision = make_decision("approved", part2="Bid prices were within budget.")
        with time_machine.travel(date(2030, 1, 1)):  # the day its s43 exemption ceases
            services.part2_release(
                decision=decision, by=make_user(Role.COMMERCIAL_OFFICER, username="co"), note="Reviewed."
            )
            body = client.get(f"/public/decisions/{decision.pk}/").content.decode()
        assert "Bid prices were within budget." in body


class TestDeferral:
    def test_part1_is_published_from_its_deferral_date(self, client, make_decision):
        decision = make_decision(
            "approved", part1_deferred_until=date(2019, 9, 2), part1_deferral_reason="Until the contract is signed."
        )
        with time_machine.travel(date(2019, 9, 1)):
            assert client.get(f"/public/decisions/{decision.pk}/").status_code == 404
            assert decision.title not in client.get("/public/decisions/").content.decode()
        with time_machine.travel(date(2019, 9, 2)):
            assert client.get(f"/public/decisions/{decision.pk}/").status_code == 200
            assert decision.title in client.get("/public/decisions/").content.decode()


class TestFeeds:
    def test_atom_feed_lists_published_decisions_newest_first(self, client, make_decision):
        first = make_decision("approved", title="First award")
        second = make_decision("approved", title="Second award")
        make_decision("draft", title="Draft paper")
        response = client.get("/public/decisions/feed.atom")
        assert response["Content-Type"].startswith("application/atom+xml")
        root = ET.fromstring(response.content)
        titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
        assert titles == [f"{second.reference}: Second award", f"{first.reference}: First award"]
        link = root.find(f"{ATOM}entry/{ATOM}link").get("href")
        assert link.endswith(f"/public/decisions/{second.pk}/")

    def test_json_feed_is_a_json_feed_1_1(self, client, make_decision):
        decision = make_decision("approved", title="An award")
        make_decision("rejected", title="Rejected paper")
        response = client.get("/public/decisions/feed.json")
        feed = json.loads(response.content)
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert [item["title"] for item in feed["items"]] == [f"{decision.reference}: An award"]
        item = feed["items"][0]
        assert item["url"].endswith(f"/public/decisions/{decision.pk}/")
        assert item["date_published"].startswith("2019-07-01T")
        assert item["_pegasus"]["value"] == "2500000.00"
