"""Exceptions the domain raises; views map them to form errors and the API to 400/409, once each."""


class PegasusError(Exception):
    """Base of every domain error; its message is shown to the user."""


class RuleViolation(PegasusError):
    """An input breaks a business rule (a share that does not add up, a date before a start)."""


class InvalidTransition(PegasusError):
    """A state change that the object's current state does not allow."""


class InputError(ValueError):
    """Base of every input Pegasus cannot use: a value, a file, a document or a line of one; the message names the
    field, path or line at fault. A ValueError, as each was before it had this base; not a PegasusError, so the
    pages that answer a PegasusError as a form error do not also take these."""


class ImportRejected(PegasusError, InputError):
    """A file that cannot be imported; `errors` lists every bad row with its line, column and reason."""

    def __init__(self, errors: list["RowError"]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s): " + "; ".join(str(e) for e in errors[:5]))


class RowError:
    """One problem in an imported file, located by line and column."""

    __slots__ = ("line", "column", "message")

    def __init__(self, line: int, column: str, message: str):
        self.line = line
        self.column = column
        self.message = message

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"RowError({self.line!r}, {self.column!r}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RowError) and (self.line, self.column, self.message) == (
            other.line,
            other.column,
            other.message,
        )


class OutOfBounds(RuleViolation, InputError):
    """A value outside the bounds every way into Pegasus applies (`pegasus.core.bounds`); `field` names it."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)
