"""A unique marker in every Part 2 is found nowhere a reader who may not see Part 2 can reach.

The readers are the public (no sign-in), evaluators and supplier users. Each crawls every route Pegasus serves (every
decision in every state substituted into every decision route), follows every link on every page it reaches, reads
every PDF and DOCX as text, and calls every GET endpoint of the API with its own token. A deferred Part 1 stays off
the public register until its date.
"""

import io
import re
from collections import deque
from datetime import date

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver

from pegasus.core.models import ApiToken
from pegasus.core.roles import Role
from pegasus.estate.demo import SUPPLIER_USER_WORKS_FOR, SUPPLIERS
from pegasus.estate.models import Supplier

pytestmark = pytest.mark.django_db

MARKER = "PART2-MARKER-9d41c7e2"
DEFERRED = "DEFERRED-PART1-MARKER-52ab"
MAX_PAGES = 600
HREF = re.compile(r'(?:href|action|src)="(/[^"#]*)"')
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
SKIP = ("/sign-out/", "/static/", "/admin/", "/api/")


def routes(resolver=None, prefix: str = "") -> list[str]:
    """Every route Pegasus serves, as written in its URLconf (the admin and API are crawled on their own)."""
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith(("admin", "api")):
                continue
            found += routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            found.append(route)
    return found


def text_of(response) -> str:
    """What a reader gets from a response: the text of a page, a feed, a PDF or a DOCX."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("application/pdf"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    if "wordprocessingml" in content_type:
        import docx

        document = docx.Document(io.BytesIO(body))
        parts = [p.text for p in document.paragraphs]
        parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        for section in document.sections:
            parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
        return "\n".join(parts)
    return body.decode("utf-8", errors="replace")


def seeds(decision_pks: list[int]) -> list[str]:
    from pegasus.governance.models import Part2Attachment

    attachments = list(Part2Attachment.objects.values_list("decision_id", "pk"))
    urls = []
    for route in routes():
        params = [name for _, name in PARAM.findall(route)]
        if not params:
            urls.append("/" + route)
        elif "decisions" in route and params == ["pk"]:
            urls += ["/" + PARAM.sub(str(pk), route) for pk in decision_pks]
        elif params == ["pk", "attachment_pk"]:
            for decision_pk, attachment_pk in attachments:
                filled = route.replace("<int:pk>", str(decision_pk)).replace("<int:attachment_pk>", str(attachment_pk))
                urls.append("/" + filled)
    return urls


def crawl(client, start: list[str], *, follow: bool = True) -> dict[str, str]:
    """Every page reachable from the start URLs by following links, with the text each returned."""
    seen: dict[str, str] = {}
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP):
            continue
        response = client.get(url)
        seen[url] = text_of(response) if response.status_code == 200 else ""
        if follow and response.status_code == 200 and "html" in response.get("Content-Type", ""):
            queue.extend(link.replace("&amp;", "&") for link in HREF.findall(seen[url]))
    return seen


def marked_paper():
    """A Word paper whose text carries the marker, to attach to a Part 2."""
    import docx
    from django.core.files.base import ContentFile

    document = docx.Document()
    document.add_paragraph(f"Attached price schedule {MARKER}")
    buffer = io.BytesIO()
    document.save(buffer)
    return ContentFile(buffer.getvalue(), name="prices.docx")


@pytest.fixture
def decisions(demo, make_decision):
    from pegasus.governance.demo import decisions_demo_load
    from pegasus.governance.models import Decision

    decisions_demo_load()
    Decision.objects.filter(reference="PCD 579").update(part2=f"PCD 579 Part 2 {MARKER}")
    for state in ("draft", "submitted", "approved", "rejected", "withdrawn"):
        make_decision(state, part2=f"{state} Part 2 {MARKER}", attachment=marked_paper())
    make_decision(
        "approved",
        introduction=f"Deferred Part 1 {DEFERRED}",
        part2=f"deferred Part 2 {MARKER}",
        part1_deferred_until=date(2031, 1, 1),
        part1_deferral_reason="Until the contract is awarded.",
    )
    return list(Decision.objects.values_list("pk", flat=True))


def reader(role, client, make_user):
    if role is None:
        return client
    supplier = Supplier.objects.get(name=SUPPLIERS[SUPPLIER_USER_WORKS_FOR][0]) if role == Role.SUPPLIER_USER else None
    user = make_user(role, username=f"crawler-{role}", supplier=supplier)
    client.force_login(user, backend="pegasus.core.backends.PegasusBackend")
    return client


@pytest.mark.parametrize("role", [None, Role.EVALUATOR, Role.SUPPLIER_USER], ids=["public", "evaluator", "supplier"])
def test_no_page_document_or_feed_shows_part2(role, client, make_user, decisions):
    browser = reader(role, client, make_user)
    pages = crawl(browser, seeds(decisions))
    assert len(pages) > 20, "the crawl reached too little of the site to prove anything"
    leaks = [url for url, text in pages.items() if MARKER in text]
    assert leaks == []
    # Staff read a deferred Part 1 on its decision page; nobody reads it on the register before its date.
    assert not [url for url, text in pages.items() if DEFERRED in text and (role is None or url.startswith("/public"))]
    # The crawl did reach the published decisions, their documents and the feeds.
    assert any(url.startswith("/public/decisions/") and "PCD 579" in text for url, text in pages.items())
    assert "/public/decisions/feed.atom" in pages and "/public/decisions/feed.json" in pages


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.SUPPLIER_USER])
def test_no_api_endpoint_shows_part2(role, client, make_user, decisions):
    supplier = Supplier.objects.get(name=SUPPLIERS[SUPPLIER_USER_WORKS_FOR][0]) if role == Role.SUPPLIER_USER else None
    user = make_user(role, username=f"api-{role}", supplier=supplier)
    _, key = ApiToken.issue(user=user, name="crawler")
    headers = {"Authorization": f"Bearer {key}"}
    schema = client.get("/api/openapi.json").json()
    called = 0
    statuses: set[int] = set()
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        names = re.findall(r"{(\w+)}", path)
        values = decisions if any("id" in n for n in names) else [None]
        for value in values:
            url = re.sub(r"{\w+}", str(value), path)
            response = client.get(url, headers=headers)
            statuses.add(response.status_code)
            called += 1
            assert MARKER not in response.content.decode("utf-8", errors="replace"), url
    assert called >= len(schema["paths"]) // 2
    assert 200 in statuses, "no endpoint answered: the crawl proved nothing"


def test_staff_who_may_read_part2_do_see_the_marker(client, make_user, decisions):
    """The crawl above could not find the marker only if it is really withheld: a commercial officer finds it."""
    browser = reader(Role.COMMERCIAL_OFFICER, client, make_user)
    pages = crawl(browser, [f"/decisions/{pk}/" for pk in decisions], follow=False)
    from pegasus.governance.models import Part2Attachment

    attachments = [f"/decisions/{a.decision_id}/attachments/{a.pk}/" for a in Part2Attachment.objects.all()]
    pages = {**pages, **crawl(browser, attachments, follow=False)}
    assert sum(MARKER in text for text in pages.values()) >= 6 + 5


def test_a_deferred_part1_is_published_on_its_date(client, make_user, decisions):
    with time_machine.travel(date(2030, 12, 31)):
        assert DEFERRED not in "".join(crawl(client, ["/public/decisions/"]).values())
    with time_machine.travel(date(2031, 1, 1)):
        pages = crawl(client, ["/public/decisions/"])
        assert any(DEFERRED in text for text in pages.values())
        assert not any(MARKER in text for text in pages.values())
