"""The decision form as PDF and DOCX: laid out like PCD 579, marked on every page, and Part 2 only in Part 2."""

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import docx
import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from pegasus.core import documents
from pegasus.core.models import AuditEvent
from pegasus.core.roles import Role
from pegasus.estate.demo import SUPPLIER_USER_WORKS_FOR, SUPPLIERS
from pegasus.estate.models import Supplier
from pegasus.governance import decision_content, decision_docx, decision_pdf, selectors, services
from pegasus.governance.demo import RECOMMENDATIONS, decisions_demo_load
from pegasus.governance.models import Decision, Declaration
from pegasus.governance.services import ExemptionSpec, RecommendationSpec

pytestmark = pytest.mark.django_db

PART2_MARKER = "ZEBRA-PART2-7f3c91-WITHHELD"
MM = 72 / 25.4  # PDF points in a millimetre
BAND = 20 * MM  # header and footer text sit in the page's top and bottom 20 mm


def flat(text: str) -> str:
    """Text with every run of whitespace made one space, so wrapped lines compare as written."""
    return re.sub(r"\s+", " ", text).strip()


def pdf_pages(body: bytes) -> list[dict[str, str]]:
    """Each page's text in three bands by height: header, body and footer."""
    pages = []
    for page in PdfReader(io.BytesIO(body)).pages:
        height = float(page.mediabox.height)
        bands: dict[str, list[str]] = {"header": [], "body": [], "footer": []}

        def visit(text, cm, tm, font, size, bands=bands, height=height):
            if not text.strip():
                return
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            band = "header" if y > height - BAND else "footer" if y < BAND else "body"
            bands[band].append(text)

        page.extract_text(visitor_text=visit)
        pages.append({band: flat(" ".join(parts)) for band, parts in bands.items()})
    return pages


def pdf_text(body: bytes) -> str:
    return flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages))


def docx_text(body: bytes) -> str:
    """Every paragraph of the body, including those inside tables."""
    document = docx.Document(io.BytesIO(body))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return flat(" ".join(parts))


def docx_all_xml(body: bytes) -> str:
    """Every part of the package (body, headers, footers, properties), for searching what must never be there."""
    with zipfile.ZipFile(io.BytesIO(body)) as package:
        return " ".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())


def docx_banners(body: bytes) -> list[tuple[str, str]]:
    document = docx.Document(io.BytesIO(body))
    return [
        (flat(" ".join(p.text for p in s.header.paragraphs)), flat(" ".join(p.text for p in s.footer.paragraphs)))
        for s in document.sections
    ]


@pytest.fixture
def pcd_579(demo) -> Decision:
    decisions_demo_load()
    return selectors.decision_detail(Decision.objects.get(reference="PCD 579").pk)


@pytest.fixture
def marked(pcd_579) -> Decision:
    """An approved decision whose Part 2 (several paragraphs) holds a marker found nowhere else."""
    User = get_user_model()
    officer, approver = User.objects.get(username="director"), User.objects.get(username="approver")
    decision = services.decision_create(
        by=officer,
        reference="PCD 9001",
        title="Network tower re-procurement",
        decision_type="procurement-strategy",
        executive_summary="Re-compete the networks tower.",
        value=Decimal("12000000.00"),
        required_by=date(2019, 9, 1),
        introduction="First paragraph of the background.\nSecond paragraph of the background.",
        part2=f"Bidder pricing assumptions.\n{PART2_MARKER} appears only here.\nA third paragraph.",
        recommendations=[RecommendationSpec("approve", "The procurement strategy.", Decimal("12000000.50"))],
        exemptions=[
            ExemptionSpec("s43", "Commercial interests", date(2025, 12, 31)),
            ExemptionSpec("s31", "Law enforcement"),
        ],
        route=[("Portfolio and Investment Board", date(2019, 8, 1))],
    )
    for kind in Declaration.Kind.values:
        services.declaration_confirm(decision=decision, kind=kind, statement=f"Confirmed {kind}.", by=officer)
    services.decision_submit(decision=decision, by=officer)
    services.decision_approve(decision=decision, by=approver, interests="None.")
    return selectors.decision_detail(decision.pk)


@pytest.fixture
def draft(demo) -> Decision:
    decisions_demo_load()
    officer = get_user_model().objects.get(username="director")
    decision = services.decision_create(
        by=officer,
        reference="PCD 9002",
        title="Telephony extension",
        decision_type="contract-extension",
        executive_summary='A summary holding markup: <img src="https://example.invalid/x.png"> & more.',
        value=Decimal("750000.00"),
        part1_deferred_until=date(2019, 12, 1),
        part1_deferral_reason="Publication before award would prejudice the negotiation.",
        recommendations=[RecommendationSpec("approve", "Extend the telephony contract by one year.")],
    )
    return selectors.decision_detail(decision.pk)


class TestPart1Pdf:
    def test_holds_the_recommendations_and_the_signed_approval(self, pcd_579):
        text = pdf_text(decision_pdf.decision_part1_pdf(pcd_579))
        assert "DMPC Decision – PCD 579" in text
        for recommendation in RECOMMENDATIONS:
            assert flat(recommendation.text) in text
        assert "The Deputy Mayor for Policing and Crime is recommended to approve:" in text
        assert "The Deputy Mayor for Policing and Crime is recommended to note:" in text
        assert "Amount: £6,700,000." in text
        assert decision_content.INTEREST_STATEMENT in text
        assert "The above request has my approval." in text
        assert "Alex Approver" in text and "10 June 2019" in text

    def test_sets_out_part_1_the_route_declarations_and_chief_executive(self, pcd_579):
        text = pdf_text(decision_pdf.decision_part1_pdf(pcd_579))
        for number, (_, heading) in enumerate(decision_content.PART1_SECTIONS, start=1):
            assert f"{number}. {heading}" in text
        assert "£181,302 or above" in text
        assert "MOPAC Investment Advisory & Monitoring 23 May 2019" in text
        assert "Tick to confirm statement (✓)" in text
        for kind in Declaration.Kind.labels:
            assert kind in text
        # one tick per confirmed declaration, beside the one in the column heading
        assert text.count("✓") == 1 + len(Declaration.Kind.values)
        assert "I have been consulted about the proposal" in text

    def test_says_a_part_2_exists_and_why_it_is_exempt_without_its_text(self, pcd_579):
        text = pdf_text(decision_pdf.decision_part1_pdf(pcd_579))
        assert "Is there a Part 2 form? YES" in text
        assert "Section 43 Commercial interests 31 December 2025" in text
        assert "Is the publication of Part 1 of this approval to be deferred? NO" in text
        assert pcd_579.part2.split(":")[0] not in text  # "Illustrative Part 2"

    def test_every_page_is_marked_official_in_its_header_and_footer(self, pcd_579):
        pages = pdf_pages(decision_pdf.decision_part1_pdf(pcd_579))
        assert len(pages) > 1
        for number, page in enumerate(pages, start=1):
            assert page["header"] == "OFFICIAL", number
            assert "OFFICIAL" in page["footer"] and "SENSITIVE" not in page["footer"], number
            assert f"Page {number} of {len(pages)}" in page["footer"]

    def test_a_draft_is_not_yet_approved_and_shows_its_deferral(self, draft):
        text = pdf_text(decision_pdf.decision_part1_pdf(draft))
        assert decision_content.NOT_YET_APPROVED in text
        assert "has my approval" not in text
        assert "Is the publication of Part 1 of this approval to be deferred? YES" in text
        assert "Publication before award would prejudice the negotiation." in text and "1 December 2019" in text
        assert "Is there a Part 2 form? NO" in text
        assert text.count("Not confirmed") == len(Declaration.Kind.values)

    def test_text_is_printed_as_written_never_read_as_markup(self, draft):
        text = pdf_text(decision_pdf.decision_part1_pdf(draft))
        assert '<img src="https://example.invalid/x.png"> & more.' in text

    def test_the_public_pdf_is_part_1(self, pcd_579):
        assert pdf_text(decision_pdf.decision_public_pdf(pcd_579)) == pdf_text(decision_pdf.decision_part1_pdf(pcd_579))


class TestPart2StaysInPart2:
    """A marker placed in Part 2 is in both Part 2 documents and in no Part 1 document."""

    def test_part_1_pdf_never_holds_it(self, marked):
        body = decision_pdf.decision_part1_pdf(marked)
        assert PART2_MARKER not in pdf_text(body)
        assert "Bidder pricing" not in pdf_text(body)
        assert "Is there a Part 2 form? YES" in pdf_text(body)

    def test_public_pdf_never_holds_it(self, marked):
        assert PART2_MARKER not in pdf_text(decision_pdf.decision_public_pdf(marked))

    def test_part_1_docx_never_holds_it_in_any_part(self, marked):
        body = decision_docx.decision_part1_docx(marked)
        assert PART2_MARKER not in docx_all_xml(body)
        assert "Bidder pricing" not in docx_all_xml(body)

    def test_part_1_content_has_no_place_for_it(self, marked):
        assert PART2_MARKER not in repr(decision_content.part1_content(marked))

    def test_part_2_pdf_holds_it_with_the_exemptions(self, marked):
        text = pdf_text(decision_pdf.decision_part2_pdf(marked))
        assert PART2_MARKER in text and "Bidder pricing assumptions." in text
        assert "Section 43 Commercial interests 31 December 2025" in text
        assert "Section 31 Law enforcement No date recorded" in text
        assert "PCD 9001" in text and "Network tower re-procurement" in text

    def test_part_2_docx_holds_it(self, marked):
        text = docx_text(decision_docx.decision_part2_docx(marked))
        assert PART2_MARKER in text
        assert "Section 43 – Commercial interests; ceases to apply on 31 December 2025" in text


class TestPart2Marking:
    def test_every_pdf_page_is_marked_official_sensitive_commercial(self, marked):
        pages = pdf_pages(decision_pdf.decision_part2_pdf(marked))
        for page in pages:
            assert page["header"] == "OFFICIAL-SENSITIVE [COMMERCIAL]"
            assert "OFFICIAL-SENSITIVE [COMMERCIAL]" in page["footer"]

    def test_a_long_part_2_is_marked_on_every_page(self, marked):
        User = get_user_model()
        revised = services.decision_revise(decision=marked, by=User.objects.get(username="director"))
        long_text = "\n".join(f"Paragraph {i} of the commercial detail, {PART2_MARKER}." for i in range(120))
        services.decision_update(decision=revised, by=User.objects.get(username="director"), part2=long_text)
        pages = pdf_pages(decision_pdf.decision_part2_pdf(selectors.decision_detail(revised.pk)))
        assert len(pages) >= 3
        for page in pages:
            assert page["header"] == "OFFICIAL-SENSITIVE [COMMERCIAL]"
            assert "OFFICIAL-SENSITIVE [COMMERCIAL]" in page["footer"]

    def test_every_docx_section_is_marked_in_header_and_footer(self, marked):
        for header, footer in docx_banners(decision_docx.decision_part2_docx(marked)):
            assert header == "OFFICIAL-SENSITIVE [COMMERCIAL]"
            assert footer.startswith("OFFICIAL-SENSITIVE [COMMERCIAL]")


class TestPart1Docx:
    def test_holds_the_recommendations_approval_and_declarations(self, pcd_579):
        body = decision_docx.decision_part1_docx(pcd_579)
        text = docx_text(body)
        for recommendation in RECOMMENDATIONS:
            assert flat(recommendation.text) in text
        assert "The above request has my approval." in text
        assert "Signature: Alex Approver" in text and "Date: 10 June 2019" in text
        assert "Section 43 – Commercial interests, until 31 December 2025" in text
        table = docx.Document(io.BytesIO(body)).tables[-1]
        assert [row.cells[1].text for row in table.rows] == ["Tick to confirm statement (✓)"] + ["✓"] * 7

    def test_every_section_is_marked_official(self, pcd_579):
        banners = docx_banners(decision_docx.decision_part1_docx(pcd_579))
        assert banners
        for header, footer in banners:
            assert header == "OFFICIAL"
            assert footer.startswith("OFFICIAL") and "SENSITIVE" not in footer

    def test_a_draft_is_not_yet_approved(self, draft):
        assert decision_content.NOT_YET_APPROVED in docx_text(decision_docx.decision_part1_docx(draft))


class TestRendering:
    def test_filenames_carry_reference_version_and_part(self, pcd_579):
        assert decision_content.document_filename(pcd_579, 1, "pdf") == "PCD-579-v1-part1.pdf"
        assert decision_content.document_filename(pcd_579, 2, "docx") == "PCD-579-v1-part2.docx"

    @pytest.mark.parametrize("url", ["https://example.org/style.css", "http://10.0.0.1/x.png", "file:///etc/passwd"])
    def test_the_pdf_renderer_fetches_nothing(self, url):
        with pytest.raises(ValueError, match="disallowed protocol"):
            documents._no_fetch().fetch(url)


def download(client, decision, part: int, extension: str):
    return client.get(f"/decisions/{decision.pk}/part{part}.{extension}")


class TestDownloads:
    @pytest.mark.parametrize(("part", "extension"), [(1, "pdf"), (1, "docx"), (2, "pdf"), (2, "docx")])
    def test_staff_who_may_read_part_2_download_each_document_and_it_is_audited(
        self, part, extension, signed_in, pcd_579
    ):
        client, user = signed_in(Role.FINANCE)
        response = download(client, pcd_579, part, extension)
        assert response.status_code == 200
        assert response["Content-Type"] == documents_content_type(extension)
        assert response["Content-Disposition"] == f'attachment; filename="PCD-579-v1-part{part}.{extension}"'
        assert "no-store" in response["Cache-Control"]
        event = AuditEvent.objects.get(action="decision.export")
        assert (event.actor, event.object_id, event.data["part"], event.data["format"]) == (
            user,
            str(pcd_579.pk),
            part,
            extension,
        )

    def test_the_downloaded_pdf_is_the_document(self, signed_in, pcd_579):
        client, _ = signed_in(Role.APPROVER)
        body = b"".join(download(client, pcd_579, 1, "pdf"))
        assert "The above request has my approval." in pdf_text(body)

    def test_an_evaluator_gets_part_1_but_part_2_is_not_found(self, signed_in, pcd_579):
        client, _ = signed_in(Role.EVALUATOR)
        assert download(client, pcd_579, 1, "pdf").status_code == 200
        for extension in ("pdf", "docx"):
            response = download(client, pcd_579, 2, extension)
            assert response.status_code == 404
            assert b"Illustrative Part 2" not in response.content
        assert not AuditEvent.objects.filter(action="decision.export", data__part=2).exists()

    def test_supplier_users_get_nothing(self, signed_in, pcd_579):
        supplier = Supplier.objects.get(name=SUPPLIERS[SUPPLIER_USER_WORKS_FOR][0])
        client, _ = signed_in(Role.SUPPLIER_USER, supplier=supplier)
        assert download(client, pcd_579, 1, "pdf").status_code == 403
        assert download(client, pcd_579, 1, "docx").status_code == 403
        assert download(client, pcd_579, 2, "pdf").status_code == 404
        assert download(client, pcd_579, 2, "docx").status_code == 404
        assert not AuditEvent.objects.filter(action="decision.export").exists()

    def test_the_public_is_sent_to_sign_in(self, client, pcd_579):
        for part, extension in [(1, "pdf"), (2, "pdf"), (2, "docx")]:
            response = download(client, pcd_579, part, extension)
            assert response.status_code == 302 and response.url.startswith("/sign-in/?next=")

    def test_a_missing_decision_is_not_found(self, signed_in, pcd_579):
        client, _ = signed_in(Role.LEGAL)
        assert client.get("/decisions/999999/part1.pdf").status_code == 404
        assert client.get("/decisions/999999/part2.docx").status_code == 404

    def test_the_decision_page_links_part_2_documents_only_for_readers(self, signed_in, pcd_579):
        reader, _ = signed_in(Role.LEGAL)
        page = reader.get(f"/decisions/{pcd_579.pk}/").content.decode()
        assert f"/decisions/{pcd_579.pk}/part1.pdf" in page and f"/decisions/{pcd_579.pk}/part2.pdf" in page
        reader.logout()
        evaluator, _ = signed_in(Role.EVALUATOR)
        page = evaluator.get(f"/decisions/{pcd_579.pk}/").content.decode()
        assert f"/decisions/{pcd_579.pk}/part1.docx" in page
        assert "part2.pdf" not in page and "part2.docx" not in page


def documents_content_type(extension: str) -> str:
    return {
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }[extension]
