"""Exceptions: one class per bzl.v1 Status, and the client's own transport failures.

Every exception the client raises is a :class:`bzl.Error`. A refusal by the daemon raises the
class of its Status (``STATUS_NOT_FOUND`` → :class:`NotFound`), carrying the daemon's message and
where its Fault points (``line``, ``field``, ``item``); :class:`InsufficientBalance` also carries
``available``, the quantity the item had. A status number this client does not know (a newer
daemon) raises :class:`Error` itself with ``code`` set. Failures of the connection that are not a
daemon verdict (cannot connect, the daemon closed the connection, a garbled reply) raise
:class:`TransportError`, and a daemon that does not answer in time :class:`Timeout`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Dict, Optional, Tuple, Type

__all__ = [
    "Error",
    "TransportError",
    "Timeout",
    "STATUS_CLASSES",
    "error_for_status",
]


class Error(Exception):
    """Base of every exception bzl raises.

    Attributes:
        status: the Status name without its prefix ("NOT_FOUND"), or None for a transport error.
        code: the Status number, or None for a transport error.
        message: the daemon's message for people (names the field, line or item at fault).
        line: 1-based declaration line at fault; 0 for the declaration header or none.
        field: the field at fault as bzl.proto names it, "" when none.
        item: the item at fault, 0 when none.
    """

    #: The Status this class stands for (set on each subclass; None on Error and transport).
    STATUS: Optional[str] = None

    def __init__(
        self,
        message: str = "",
        *,
        status: Optional[str] = None,
        code: Optional[int] = None,
        line: int = 0,
        field: str = "",
        item: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status if status is not None else self.STATUS
        self.code = code
        self.line = line
        self.field = field
        self.item = item

    def __str__(self) -> str:
        if self.status is None:
            return self.message
        return f"{self.status}: {self.message}" if self.message else self.status


class TransportError(Error):
    """The connection failed: cannot connect, the daemon closed it, a reply that is not a
    Response or that answers another request. The connection is closed; make a new Client."""


class Timeout(TransportError, TimeoutError):
    """The daemon moved no byte for the client's timeout. The connection is closed, since a
    late reply would answer the wrong request."""


# ---- one class per Status ------------------------------------------------------------------
# The table below must name every value of bzl.proto's Status except OK; a test
# (tests/test_errors.py) fails when the proto grows a status this file has no class for.


class InvalidArgument(Error):
    """A field is missing or out of its rules; ``field`` names it."""

    STATUS = "INVALID_ARGUMENT"


class NotFound(Error):
    """The record does not exist (or belongs to an enterprise the caller may not see)."""

    STATUS = "NOT_FOUND"


class AlreadyExists(Error):
    """The record exists already (an enterprise, book or item; a backup file)."""

    STATUS = "ALREADY_EXISTS"


class PermissionDenied(Error):
    """The caller's role may not make this request."""

    STATUS = "PERMISSION_DENIED"


class InsufficientBalance(Error):
    """An outflow beyond the available balance; ``item`` names the item and ``available``
    (a Decimal) the quantity it had."""

    STATUS = "INSUFFICIENT_BALANCE"

    def __init__(
        self, message: str = "", *, available: Optional[Decimal] = None, **kw: object
    ) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.available = available


class IdReused(Error):
    """The declaration id was accepted before with other content."""

    STATUS = "ID_REUSED"


class Busy(Error):
    """The writer's queue is full; retrying later is safe (ids are idempotency keys)."""

    STATUS = "BUSY"


class StorageFull(Error):
    """The ledger reached its map maximum; reads go on."""

    STATUS = "STORAGE_FULL"


class DiskFull(Error):
    """The daemon's disk is full; nothing was damaged."""

    STATUS = "DISK_FULL"


class Corrupt(Error):
    """A stored record failed validation."""

    STATUS = "CORRUPT"


class SchemaMismatch(Error):
    """The database was written by another schema version."""

    STATUS = "SCHEMA_MISMATCH"


class IoError(Error):
    """The daemon hit an I/O error."""

    STATUS = "IO_ERROR"


class FrameTooLarge(Error):
    """A frame over the cap: a request the client will not send, or one the daemon refused
    (then the connection closes), or a reply over the client's cap."""

    STATUS = "FRAME_TOO_LARGE"


class FrameEmpty(Error):
    """A frame of length 0."""

    STATUS = "FRAME_EMPTY"


class Malformed(Error):
    """Bytes that are not a valid Request (or Response)."""

    STATUS = "MALFORMED"


class DecimalSyntax(Error):
    """A decimal string that is not a plain decimal ("1e5", "1,000", "-1")."""

    STATUS = "DECIMAL_SYNTAX"


class DecimalRange(Error):
    """A decimal with too many digits (13 integer digits and 5 decimals at most)."""

    STATUS = "DECIMAL_RANGE"


class Overflow(Error):
    """A sum or product beyond the ledger's fixed-point range."""

    STATUS = "OVERFLOW"


class InvalidCode(Error):
    """A customs code (USCC, HS, unit, currency, trade mode, book number…) that is not valid."""

    STATUS = "INVALID_CODE"


class InvalidDate(Error):
    """A date that is not a valid YYYY-MM-DD (or period)."""

    STATUS = "INVALID_DATE"


class LimitExceeded(Error):
    """Over one of the daemon's limits: lines, batch size, connections."""

    STATUS = "LIMIT_EXCEEDED"


class NoMemory(Error):
    """The daemon ran out of memory for this request."""

    STATUS = "NO_MEMORY"


class Unsupported(Error):
    """A request kind the daemon does not support (an empty or unknown body)."""

    STATUS = "UNSUPPORTED"


class ShuttingDown(Error):
    """The daemon is stopping."""

    STATUS = "SHUTTING_DOWN"


class BookNotOpen(Error):
    """The book is suspended or closed."""

    STATUS = "BOOK_NOT_OPEN"


class WrongBook(Error):
    """The book does not belong to the declaring enterprise, or does not allow this."""

    STATUS = "WRONG_BOOK"


class DuplicateLine(Error):
    """Two lines of one declaration name the same item."""

    STATUS = "DUPLICATE_LINE"


class PeriodClosed(Error):
    """The date falls inside a closed period."""

    STATUS = "PERIOD_CLOSED"


class StateConflict(Error):
    """The declaration is not in a state that allows this (post a posted one…)."""

    STATUS = "STATE_CONFLICT"


class Internal(Error):
    """A broken invariant inside the daemon."""

    STATUS = "INTERNAL"


class FlowNotAllowed(Error):
    """The book type does not allow this trade mode and direction."""

    STATUS = "FLOW_NOT_ALLOWED"


class NormMissing(Error):
    """No consumption norm covers the product on the date."""

    STATUS = "NORM_MISSING"


class ScrapAllowanceExceeded(Error):
    """A scrap disposition beyond the allowance consumption generated."""

    STATUS = "SCRAP_ALLOWANCE_EXCEEDED"


class RateMissing(Error):
    """No customs rate for the currency and month."""

    STATUS = "RATE_MISSING"


class Tampered(Error):
    """The journal's hash chain does not verify."""

    STATUS = "TAMPERED"


class NotReady(Error):
    """The daemon is not ready for this request yet."""

    STATUS = "NOT_READY"


class Aborted(Error):
    """Not committed: another declaration of the all-or-nothing batch was refused."""

    STATUS = "ABORTED"


class LotMismatch(Error):
    """A lot a declaration line names is of another item, or holds less than the line takes."""

    STATUS = "LOT_MISMATCH"


class WrongOrigin(Error):
    """Repair goods or their parts sent elsewhere than where they came from."""

    STATUS = "WRONG_ORIGIN"


class TransferMismatch(Error):
    """A transfer's export names a missing or different import."""

    STATUS = "TRANSFER_MISMATCH"


_CLASSES: Tuple[Type[Error], ...] = (
    InvalidArgument,
    NotFound,
    AlreadyExists,
    PermissionDenied,
    InsufficientBalance,
    IdReused,
    Busy,
    StorageFull,
    DiskFull,
    Corrupt,
    SchemaMismatch,
    IoError,
    FrameTooLarge,
    FrameEmpty,
    Malformed,
    DecimalSyntax,
    DecimalRange,
    Overflow,
    InvalidCode,
    InvalidDate,
    LimitExceeded,
    NoMemory,
    Unsupported,
    ShuttingDown,
    BookNotOpen,
    WrongBook,
    DuplicateLine,
    PeriodClosed,
    StateConflict,
    Internal,
    FlowNotAllowed,
    NormMissing,
    ScrapAllowanceExceeded,
    RateMissing,
    Tampered,
    NotReady,
    Aborted,
    LotMismatch,
    WrongOrigin,
    TransferMismatch,
)
#: Status name (without "STATUS_") → its exception class.
STATUS_CLASSES: Dict[str, Type[Error]] = {str(cls.STATUS): cls for cls in _CLASSES}

__all__ += [cls.__name__ for cls in STATUS_CLASSES.values()]


def error_for_status(
    code: int,
    name: Optional[str],
    message: str,
    *,
    line: int = 0,
    field: str = "",
    item: int = 0,
    available: Optional[Decimal] = None,
) -> Error:
    """The exception (not raised) for a refusal with Status number ``code`` whose name without
    prefix is ``name`` (None when this client's proto does not know the number)."""
    cls = STATUS_CLASSES.get(name or "", Error)
    kw = dict(status=name or f"STATUS_{code}", code=code, line=line, field=field, item=item)
    if cls is InsufficientBalance:
        return InsufficientBalance(message, available=available, **kw)
    return cls(message, **kw)  # type: ignore[arg-type]
