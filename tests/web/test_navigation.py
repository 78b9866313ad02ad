"""The service navigation: one entry a section, the section's pages on a second row, one row on a laptop's screen."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from pegasus.core.roles import Role
from pegasus.web.context_processors import NAV

pytestmark = pytest.mark.django_db

EVERY_PAGE = [(section, label, name, prefix) for section, pages in NAV for label, name, _, prefix in pages]


@pytest.fixture
def everyone(make_user):
    """A user holding every internal role, who may read every section."""
    user = make_user(Role.COMMERCIAL_OFFICER, username="everyone")
    for role in Role:
        if role != Role.SUPPLIER_USER:
            user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user


class TestSections:
    @pytest.mark.parametrize(("section", "label", "name", "prefix"), EVERY_PAGE)
    def test_every_page_is_in_the_navigation_under_its_section_marked_current(
        self, client, everyone, section, label, name, prefix
    ):
        """Open each page: its section's entry is current, and the section's row links to it, marked current."""
        client.force_login(everyone, backend="pegasus.core.backends.PegasusBackend")
        context = client.get(reverse(name)).context

        current = [item["label"] for item in context["nav_items"] if item["active"]]
        assert current == [section]
        pages = context["nav_section_pages"]
        if len([p for s, p in NAV if s == section][0]) > 1:
            assert [p["label"] for p in pages if p["active"]] == [label]
            assert {"label": label, "url": reverse(name), "active": True} in pages
        else:
            assert pages == []

    def test_a_section_leads_to_the_first_of_its_pages_the_user_may_read(self, signed_in):
        client, _ = signed_in(Role.SUPPLIER_USER)
        items = client.get(reverse("supplier-list")).context["nav_items"]
        assert [item["label"] for item in items] == ["Contracts", "Suppliers", "Notices"]
        assert items[1]["url"] == reverse("supplier-list")


@pytest.mark.browser
def test_the_navigation_keeps_to_one_row_at_1280_pixels(page, everyone):
    """At 1280 x 900 a reader of every section sees every entry on one row."""
    # given a user of every role, signed in
    everyone.set_password("correct-horse-battery")
    everyone.save()
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("everyone")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)

    # when the contracts page is open
    page.goto("/contracts/")
    menu = page.get_by_role("navigation", name="Menu")
    boxes = [item.bounding_box() for item in menu.locator("li").all()]
    row = menu.locator("ul").bounding_box()

    # then every section is on one row, within the row's width
    assert len(boxes) == len(NAV)
    assert {box["y"] for box in boxes} == {boxes[0]["y"]}
    assert boxes[-1]["x"] + boxes[-1]["width"] <= row["x"] + row["width"]


@pytest.mark.browser
@pytest.mark.parametrize("username", ["everyone", "a-rather-long-user-name"])
def test_who_is_signed_in_and_signing_out_sit_on_the_headers_one_row_at_1280_pixels(page, everyone, username):
    """The header band is one row: the service's name, who is signed in, changing the password and signing out."""
    # given a user of every role, signed in
    everyone.username = username
    everyone.set_password("correct-horse-battery")
    everyone.save()
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)

    # when the contracts page is open
    page.goto("/contracts/")
    header = page.locator(".govuk-header__container")
    name = header.locator(".govuk-header__service-name").bounding_box()
    account = [
        header.get_by_text(username, exact=True).bounding_box(),
        header.get_by_role("link", name="Change password").bounding_box(),
        header.get_by_role("button", name="Sign out").bounding_box(),
    ]
    band = header.bounding_box()

    # then they share the row of the service's name, within the header's width, and the navigation holds no more
    for box in account:
        middle = box["y"] + box["height"] / 2
        assert name["y"] <= middle <= name["y"] + name["height"]
        assert box["x"] + box["width"] <= band["x"] + band["width"]
    assert account[0]["x"] > name["x"] + name["width"]
    navigation = page.locator(".govuk-service-navigation")
    assert navigation.get_by_role("button", name="Sign out").count() == 0
    menu = page.get_by_role("navigation", name="Menu")
    assert navigation.bounding_box()["height"] < 2 * menu.bounding_box()["height"]
