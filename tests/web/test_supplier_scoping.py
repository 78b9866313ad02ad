"""A supplier user sees only their own contracts' references, values and performance: on every page, export and API
endpoint they can reach, nothing names another supplier's contract."""

import io
import zipfile

import pytest

from pegasus.core.models import ApiToken
from pegasus.core.roles import Role
from pegasus.estate.models import Contract, ServiceTower
from tests.web.test_access import PAGES, estate, fill, media_in_tmp, module_media  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

SUPPLIER_PAGES = sorted(name for name, (_, allowed, _) in PAGES.items() if Role.SUPPLIER_USER in allowed)


def text_of(response) -> str:
    """What a reader of the response sees: the page, or every cell or line of a workbook or PDF."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK"):  # XLSX and DOCX are ZIPs of XML
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    if body.startswith(b"%PDF"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return body.decode("utf-8", "replace")


def others_references(walked) -> list[str]:
    return list(Contract.objects.exclude(supplier=walked["own_supplier"]).values_list("reference", flat=True))


@pytest.fixture
def supplier_client(signed_in, estate):  # noqa: F811
    client, user = signed_in(Role.SUPPLIER_USER, username="sam", supplier=estate["own_supplier"])
    return client, user


def test_every_page_a_supplier_user_reaches_is_in_the_walk():
    assert {"tower-list", "contract-list", "contract-export", "performance-handoffs"} <= set(SUPPLIER_PAGES)


@pytest.mark.parametrize("name", SUPPLIER_PAGES)
def test_no_page_names_another_suppliers_contract(name, supplier_client, estate):  # noqa: F811
    client, _ = supplier_client
    response = client.get(fill(PAGES[name][0], estate))
    assert response.status_code == 200
    text = text_of(response)
    leaked = [reference for reference in others_references(estate) if reference in text]
    assert leaked == [], f"{name} shows {leaked}"


def test_the_towers_page_names_only_their_own_contracts_at_an_interface(supplier_client, estate):  # noqa: F811
    from pegasus.estate.models import Interface

    client, _ = supplier_client
    own, other = estate["own"], estate["other"]
    towers = list(ServiceTower.objects.order_by("pk")[:2])
    Interface.objects.create(from_tower=towers[0], to_tower=towers[1], from_contract=own, to_contract=other, weight=120)
    body = client.get("/towers/").content.decode()
    assert own.reference in body and other.reference not in body
    # the hand-off itself, between towers, is still shown
    assert towers[1].name in body


class TestApi:
    @pytest.fixture
    def get(self, client, make_user, estate):  # noqa: F811
        user = make_user(Role.SUPPLIER_USER, username="sam-api", supplier=estate["own_supplier"])
        _, key = ApiToken.issue(user=user, name="tests")
        return lambda path: client.get(f"/api{path}", headers={"Authorization": f"Bearer {key}"})

    @pytest.mark.parametrize("path", ["/contracts", "/suppliers", "/towers", "/spend", "/towers/{tower}"])
    def test_no_endpoint_names_another_suppliers_contract(self, path, get, estate):  # noqa: F811
        tower = ServiceTower.objects.order_by("pk").first()
        response = get(path.format(tower=tower.code))
        assert response.status_code == 200
        leaked = [reference for reference in others_references(estate) if reference in response.content.decode()]
        assert leaked == []
