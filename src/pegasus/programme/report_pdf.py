"""The programme board's monthly highlight report as a PDF, in the house style of the decision documents."""

from dataclasses import dataclass

from pegasus.core.classification import Classification, Descriptor, marking
from pegasus.core.documents import render_pdf
from pegasus.programme.selectors.board import Board

# A highlight report carries the programme's commercial position (risks of named suppliers, money, changes).
MARKING = marking(Classification.OFFICIAL_SENSITIVE, Descriptor.COMMERCIAL)


@dataclass(frozen=True)
class Header:
    heading: str
    title: str
    marking: str
    running: str


@dataclass(frozen=True)
class Highlight:
    header: Header
    board: Board

    @property
    def period(self) -> str:
        return f"{self.board.as_at:%B %Y}"


def highlight(board: Board) -> Highlight:
    """The report's content: the board as at the month's last day, under its heading and marking."""
    month = f"{board.as_at:%B %Y}"
    return Highlight(
        header=Header(
            heading=f"{board.programme.name}: highlight report",
            title=f"{month}, as at {board.as_at.day} {board.as_at:%B %Y}. Overall status: {board.status.label}.",
            marking=MARKING,
            running=f"Highlight report {month}",
        ),
        board=board,
    )


def highlight_pdf(board: Board) -> bytes:
    """The highlight report as a PDF, marked on every page."""
    return render_pdf("programme/documents/highlight.html", highlight(board))
