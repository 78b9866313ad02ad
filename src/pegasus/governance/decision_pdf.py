"""The decision form as PDF, with WeasyPrint from the templates in `governance/documents/`.

`decision_public_pdf` is the document the public register serves: Part 1, nothing else.
"""

from pegasus.core.documents import render_pdf
from pegasus.governance.decision_content import part1_content, part2_content
from pegasus.governance.models import Decision


def decision_part1_pdf(decision: Decision) -> bytes:
    """Part 1 of the decision form as a PDF, marked OFFICIAL on every page."""
    return render_pdf("governance/documents/part1.html", part1_content(decision))


def decision_public_pdf(decision: Decision) -> bytes:
    """The PDF the public may read: Part 1 only. Whether it may be published yet is the register's question."""
    return decision_part1_pdf(decision)


def decision_part2_pdf(decision: Decision) -> bytes:
    """Part 2 as a separate PDF, marked OFFICIAL-SENSITIVE [COMMERCIAL] on every page."""
    return render_pdf("governance/documents/part2.html", part2_content(decision))
