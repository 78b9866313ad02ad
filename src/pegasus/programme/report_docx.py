"""The programme board's monthly highlight report as a Word document, with the content and marking of the PDF."""

from collections.abc import Callable, Sequence
from typing import Any

from docx.document import Document as DocxDocument
from docx.shared import Pt

from pegasus.core.documents import add_table, docx_bytes, fit_cells, keep_rows, marked_docx, shade
from pegasus.core.money import format_millions, format_pounds
from pegasus.programme.report_pdf import Header, highlight
from pegasus.programme.selectors.board import Board

HEADER_FILL = "D9D9D9"
RAG_FILLS = {"red": "F4CDC6", "amber": "FFF7BF", "green": "CCE2D8", "complete": "D2E2F1"}
WIDTH = 170  # mm between the margins


def _day(value) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""


def _base(header: Header) -> DocxDocument:
    doc = marked_docx(
        title=f"{header.heading}: {header.title}",
        subject="Highlight report",
        marking=header.marking,
        running=header.running,
        sensitive=True,
    )
    doc.styles["Normal"].font.size = Pt(10)
    return doc


def _table(
    doc: DocxDocument,
    headings: Sequence[str] | None,
    widths: tuple[int, ...],
    rows: Sequence[Any],
    cells: Callable[[Any], Sequence[str]],
    fill: Callable[[Any], tuple[int, str] | None] = lambda row: None,
) -> None:
    """A table with a shaded heading row (when `headings` are given) repeated on each page, rows that do not split,
    and optionally one cell of a row shaded (its RAG, say) as `fill` gives it: (column, hex colour)."""
    table = add_table(doc, len(rows) + (1 if headings else 0), widths)
    if headings:
        for cell, heading in zip(table.rows[0].cells, headings, strict=True):
            cell.text = heading
            cell.paragraphs[0].runs[0].bold = True
            shade(cell, HEADER_FILL)
    for row, item in zip(table.rows[1:] if headings else table.rows, rows, strict=True):
        for cell, text in zip(row.cells, cells(item), strict=True):
            cell.text = text
        shaded = fill(item)
        if shaded:
            shade(row.cells[shaded[0]], shaded[1])
    fit_cells(table, widths)
    keep_rows(table)
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8.5)


def _none(doc: DocxDocument, text: str) -> None:
    doc.add_paragraph(text)


def highlight_docx(board: Board) -> bytes:
    """The highlight report as a .docx: the same sections, figures and marking as the PDF."""
    content = highlight(board)
    doc = _base(content.header)
    doc.add_paragraph(content.header.heading, style="Title")
    doc.add_paragraph(content.header.title)
    facts = [
        ("Programme", board.programme.name),
        ("Reporting period", content.period),
        ("Read as at", f"{board.as_at.day} {board.as_at:%B %Y}"),
        ("Prepared", "By Pegasus from the programme's records, for the programme board"),
    ]
    _table(doc, None, (50, WIDTH - 50), facts, lambda row: row, lambda row: (0, HEADER_FILL))

    doc.add_heading(f"Overall status: {board.status.label}", level=1)
    for reason in board.status.reasons:
        doc.add_paragraph(reason, style="List Bullet")

    doc.add_heading("Milestones", level=1)
    if board.milestones:
        doc.add_paragraph(
            f"Amber is a slip of up to {board.programme.tolerance_days} days; red beyond it, or a baseline passed "
            "with no actual date."
        )
        _table(
            doc,
            ("Milestone", "Owner", "Baseline", "Forecast", "Actual", "Slip (days)", "Status"),
            (46, 26, 20, 20, 20, 16, 22),
            board.milestones,
            lambda m: (
                m.name,
                m.owner,
                _day(m.baseline_on),
                _day(m.forecast_on),
                _day(m.actual_on) or "Not yet",
                str(m.slip_days),
                m.rag_label,
            ),
            lambda m: (6, RAG_FILLS[m.rag]),
        )
    else:
        _none(doc, "No milestones are recorded.")

    doc.add_heading("Top risks and issues", level=1)
    for title, items in board.raid_sections:
        doc.add_heading(title, level=2)
        if items:
            _table(
                doc,
                ("Reference", "What", "Owner", "Rating"),
                (22, 80, 34, 34),
                items,
                lambda i: (i.reference, i.title, i.owner, i.rating + (" (escalate)" if i.escalated else "")),
                lambda i: (3, RAG_FILLS["red"]) if i.escalated else None,
            )
        else:
            _none(doc, "None open.")

    doc.add_heading("Decisions due in the next three months", level=1)
    if board.decisions:
        _table(
            doc,
            ("Decision", "Required by", "Approver", "Status"),
            (70, 30, 40, 30),
            board.decisions,
            lambda d: (
                f"{d.reference} {d.title}",
                _day(d.required_by) + (" (overdue)" if d.overdue else ""),
                d.approver_office or "Named on submission",
                d.status,
            ),
        )
    else:
        _none(doc, "No decision is due in the next three months.")

    doc.add_heading("Business cases", level=1)
    if board.cases:
        _table(
            doc,
            ("Business case", "Stage", "Value", "Status"),
            (80, 30, 25, 35),
            board.cases,
            lambda c: (
                f"{c.reference} {c.title}",
                c.stage,
                format_millions(c.value),
                c.status + (f" ({c.decision})" if c.decision else ""),
            ),
        )
    else:
        _none(doc, "No business case is recorded.")

    doc.add_heading(f"Finance position, {board.finance.year_label}", level=1)
    if board.finance.lines:
        doc.add_paragraph("Pounds excluding VAT, in millions; a line's figures include the lines below it.")
        _table(
            doc,
            ("Budget line", "Budget", "Spent", "Committed", "Outturn", "Variance"),
            (60, 22, 22, 22, 22, 22),
            board.finance.lines,
            lambda line: (
                ("    " if line.depth else "") + f"{line.code} {line.name}",
                *(
                    format_millions(v)
                    for v in (line.budget, line.actual, line.committed_open, line.outturn, line.variance)
                ),
            ),
        )
    else:
        _none(doc, "No budget is recorded for the year.")
    doc.add_heading("Approval headroom", level=2)
    if board.finance.approvals:
        _table(
            doc,
            ("Approval", "Approved", "Committed", "Spent", "Headroom"),
            (62, 27, 27, 27, 27),
            board.finance.approvals,
            lambda a: (
                f"{a.reference}{f' ({a.decision})' if a.decision else ''}, {_day(a.approved_on)}",
                *(format_millions(v) for v in (a.approved, a.committed, a.spent, a.headroom)),
            ),
        )
    else:
        _none(doc, f"No approval to spend had been given by {board.as_at.day} {board.as_at:%B %Y}.")

    doc.add_heading("Exit and transition", level=1)
    if board.exits:
        _table(
            doc,
            (
                "Incumbent contract",
                "Replaced by",
                "Ready",
                "Ends",
                "Ends at the latest (options left)",
                "Replacement starts",
            ),
            (40, 24, 24, 20, 24, 38),
            board.exits,
            lambda e: (
                f"{e.contract} {e.supplier}",
                e.replacement or "Not yet planned",
                "No tasks" if e.readiness is None else f"{e.readiness.normalize():f}% ({e.tasks_done} of {e.tasks})",
                _day(e.current_end),
                _day(e.latest_end) or "Rolls on",
                f"{_day(e.planned_start) or 'Not scheduled'}: {e.cover[0].lower()}{e.cover[1:]}",
            ),
            lambda e: (5, RAG_FILLS["red"]) if e.red_flag else None,
        )
    else:
        _none(doc, "No exit plan is recorded.")

    doc.add_heading("Contract changes pending", level=1)
    if board.changes:
        _table(
            doc,
            ("Contract", "Change", "Value", "Effective", "State"),
            (50, 40, 30, 25, 25),
            board.changes,
            lambda c: (f"{c.contract} {c.supplier}", c.kind, format_pounds(c.value), _day(c.effective_on), c.state),
        )
    else:
        _none(doc, "No contract change is awaiting approval or effect.")
    return docx_bytes(doc)
