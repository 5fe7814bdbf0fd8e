"""What the daemon answers, as frozen dataclasses with Python types.

Quantities and amounts are :class:`decimal.Decimal` (exact: the wire carries decimal strings and
nothing here goes through float), dates are :class:`datetime.date`, journal times are aware
:class:`datetime.datetime` in UTC, and the proto's enums are the words the CLI prints
("material", "in", "OEM", "work-order", "posted"…; None where the proto's zero value means
"none" or "unspecified"). Each field has the name it has in proto/bzl.proto, except ``from``
(a Python keyword: ``from_date``) and ``time_ms`` (``time``, a datetime).

``dataclasses.asdict(record)`` gives a plain dict, so a listing becomes a list of dicts (and a
pandas DataFrame) with ``[asdict(r) for r in client.balances(book=...)]``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Dict, List, Optional

__all__ = [
    "Enterprise",
    "Book",
    "Item",
    "DeclarationLine",
    "Declaration",
    "DeclarationSummary",
    "CurrencyValue",
    "Balance",
    "SubmitResult",
    "RequestCount",
    "Stats",
    "Norm",
    "ModeEvent",
    "ActionResult",
    "HistoryLine",
    "Effect",
    "JournalEntry",
    "DeclarationInfo",
    "Transfer",
    "ScrapRow",
    "Table",
    "Rate",
    "VerifyReport",
    "AuditEntry",
    "JournalRecord",
    "Checkpoint",
    "BackupResult",
    "ReceiptField",
    "ReceiptResult",
    "ReceiptDiffRow",
]


def _pb(name: str) -> Any:
    """A field whose proto name differs from its Python name."""
    return field(metadata={"pb": name})


# ---- core records --------------------------------------------------------------------------


@dataclass(frozen=True)
class Enterprise:
    """An enterprise of the zone."""

    code: str  #: customs code, 10 characters
    uscc: str  #: unified social credit code, 18 characters
    name: str
    area: str  #: area of the zone, "" when none


@dataclass(frozen=True)
class Book:
    """An account book (手册 / 账册)."""

    book: str  #: 12 characters, first letter B/C/E/H/T
    enterprise: str
    verify_mode: Optional[str]  #: "unit", "work-order" or "consumption"
    status: Optional[str]  #: "open", "suspended" or "closed"
    period_days: int
    closed_through: Optional[date] = None  #: its periods are closed through this date
    usage: Optional[str] = None  #: "general" or "repair"


@dataclass(frozen=True)
class Item:
    """One item (备案序号) of a book."""

    book: str
    kind: Optional[str]  #: "material" or "product"
    item: int
    hs: str
    name: str
    unit: str
    mode: Optional[str]  #: "OEM", "ODM", "OBM" (products), None


@dataclass(frozen=True)
class DeclarationLine:
    """One line of a declaration."""

    item: int
    qty: Decimal
    unit: str
    value: Decimal
    currency: str
    usd: Optional[Decimal] = None
    bom_version: Optional[str] = None
    mode: Optional[str] = None
    country: Optional[str] = None


@dataclass(frozen=True)
class Declaration:
    """A declaration (核注清单). ``submit`` takes one of these or a dict of the same shape as
    the CLI's JSON files; :meth:`to_dict` gives that dict back (decimals and dates as strings, so
    ``json.dump`` writes a file ``bzl submit`` accepts)."""

    id: str
    enterprise: str
    book: str
    kind: Optional[str]
    direction: Optional[str]
    trade_mode: str
    date: date
    lines: List[DeclarationLine]
    pending: bool = False
    related_book: Optional[str] = None
    related_id: Optional[str] = None
    origin: Optional[str] = None  #: repair books: "abroad" or "outside"

    def to_dict(self) -> Dict[str, Any]:
        """The CLI's JSON declaration shape: optional fields only when set."""
        out: Dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name == "lines":
                out["lines"] = [_line_dict(ln) for ln in v]
            elif f.name == "pending":
                if v:
                    out["pending"] = True
            elif v is not None:
                out[f.name] = v.isoformat() if isinstance(v, date) else v
        return out


def _line_dict(line: DeclarationLine) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for f in dataclasses.fields(line):
        v = getattr(line, f.name)
        if v is None:
            continue
        out[f.name] = format(v, "f") if isinstance(v, Decimal) else v
    return out


@dataclass(frozen=True)
class DeclarationSummary:
    """One declaration as the queue (``declarations()``) shows it."""

    seq: int  #: its journal entry
    id: str
    enterprise: str
    book: str
    date: Optional[date]
    trade_mode: str
    flow: str  #: "" when its book no longer tells
    kind: Optional[str]
    direction: Optional[str]
    lines: int  #: how many lines
    state: Optional[str]  #: "posted", "pending", "voided", "rejected" or "reversed"
    submitted: datetime = _pb("submitted_ms")


@dataclass(frozen=True)
class CurrencyValue:
    """One currency's part of a value."""

    currency: str  #: customs numeric currency code, e.g. "502"
    value: Decimal


@dataclass(frozen=True)
class Balance:
    """One item's balance in a book."""

    book: str
    kind: Optional[str]
    item: int
    qty: Decimal  #: posted quantity on hand
    #: the sum of ``values`` whatever their currencies: a figure only with one currency
    value: Decimal
    pending_in: Decimal
    pending_out: Decimal
    available: Decimal  #: qty − pending_out: what a new outflow may draw
    #: posted value on hand per currency, in currency-code order ([] when it holds none)
    values: List[CurrencyValue] = field(default_factory=list)


@dataclass(frozen=True)
class SubmitResult:
    """The outcome of one declaration. ``submit`` raises on a refusal; ``submit_batch`` returns
    refusals too: ``ok`` is False and ``error`` holds the exception (not raised)."""

    id: str
    status: Optional[str]  #: "OK" or the Status name
    message: str
    seq: int  #: journal sequence when accepted or replayed
    replayed: bool  #: the same id and content were accepted before
    error: Optional[Exception] = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "OK"


@dataclass(frozen=True)
class RequestCount:
    """How many requests of one kind got one status."""

    kind: int  #: the Request body's field number
    status: Optional[str]
    count: int
    name: str  #: the kind's name ("submit", "balances"…)


@dataclass(frozen=True)
class Stats:
    """The daemon's counters since it started (docs/BENCHMARKS.md)."""

    requests: int
    commits: int
    declarations: int
    connections: int
    journal_entries: int
    map_bytes: int
    map_used_bytes: int
    queue_depth: int
    busy_refusals: int
    decls_per_commit_hist: List[int]
    commit_us_total: int
    requests_by_kind: List[RequestCount]
    commit_us_hist: List[int]
    commit_us_max: int
    queue_depth_max: int
    connections_accepted: int
    connections_refused: int
    uptime_ms: int
    reply_writes: int
    replies: int


# ---- the bonded ledger ---------------------------------------------------------------------


@dataclass(frozen=True)
class Norm:
    """A consumption norm (单耗) version."""

    book: str
    product: int
    material: int
    version: str
    net: Decimal
    tangible_loss: Decimal
    intangible_loss: Decimal
    bonded_share: Optional[Decimal]
    unit_consumption: Optional[Decimal]
    valid_from: Optional[date]
    used: bool


@dataclass(frozen=True)
class ModeEvent:
    """A product's business mode from a date on."""

    from_date: date = _pb("from")
    mode: Optional[str] = None


@dataclass(frozen=True)
class ActionResult:
    """The outcome of a ledger action (norm, mode, post, void, reject, reverse, close)."""

    seq: int
    replayed: bool
    state: Optional[str]  #: the declaration's state afterwards ("posted", "voided"…)
    norm: Optional[Norm]  #: set_norm: the norm as stored, with its unit consumption
    mode_events: List[ModeEvent]


@dataclass(frozen=True)
class HistoryLine:
    """One journal line that moved an item."""

    seq: int
    date: Optional[date]
    id: str
    flow: str
    entry: Optional[str]  #: "declaration", "post", "void", "reject", "reverse"
    qty: Optional[Decimal]
    pending_in: Optional[Decimal]
    pending_out: Optional[Decimal]
    balance: Optional[Decimal]


@dataclass(frozen=True)
class Effect:
    """What one journal entry did to one item."""

    kind: Optional[str]
    item: int
    category: str
    qty: Optional[Decimal]
    value: Optional[Decimal]
    pending_in: Optional[Decimal]
    pending_out: Optional[Decimal]
    scrap_generated: Optional[Decimal]
    scrap_used: Optional[Decimal]
    total: Optional[Decimal]


@dataclass(frozen=True)
class JournalEntry:
    """One journal entry about a declaration."""

    seq: int
    type: Optional[str]
    reason: str
    uid: int
    time: datetime = _pb("time_ms")
    effects: List[Effect] = field(default_factory=list)


@dataclass(frozen=True)
class DeclarationInfo:
    """A declaration with its state and journal entries, and where it stands with customs: the
    A.6 state, the receipts applied and customs' back-filled values as sent (docs/INV101.md
    "Receipts")."""

    declaration: Declaration
    state: str
    flow: str
    entries: List[JournalEntry]
    customs_state: str = ""
    receipt_count: int = 0
    back_fills: List["ReceiptField"] = field(default_factory=list)


@dataclass(frozen=True)
class Transfer:
    """One half of a deep-processing transfer without a matching counterpart."""

    enterprise: str
    book: str
    id: str
    related_book: str
    related_id: str
    flow: str
    state: str
    why: str
    line_count: int
    counterpart_line_count: int
    line: int
    qty: Optional[Decimal]
    counterpart_qty: Optional[Decimal]


@dataclass(frozen=True)
class ScrapRow:
    """One material's scrap (边角料) allowance."""

    item: int
    generated: Decimal
    used: Decimal
    remaining: Decimal


# ---- customs receipts ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptField:
    """One value customs sent in a receipt, exactly as sent: ``group`` 0 the list, 1 a list
    line, 2 a book line (INV211 BwsDt); ``line`` that line's gdsSeqno (0 for the list)."""

    group: int
    line: int
    name: str
    value: str


@dataclass(frozen=True)
class ReceiptResult:
    """What one customs receipt did to its list: the customs state before and after (A.6's
    names), the declaration's state afterwards, whether it had been applied before, its
    journal entry and the post or reject entry it wrote (0 when none)."""

    enterprise: str
    id: str
    previous: str
    state: str
    ledger_state: str
    replayed: bool
    seq: int
    ledger_seq: int


@dataclass(frozen=True)
class ReceiptDiffRow:
    """A book item whose latest INV211 figure differs from bzl's posted quantity;
    ``customs_qty`` and ``difference`` None when customs' figure is not a decimal (``note``)."""

    book: str
    kind: str
    item: int
    customs_qty: Optional[Decimal]
    bzl_qty: Decimal
    difference: Optional[Decimal]
    enterprise: str
    id: str
    seq: int
    note: str


# ---- verification, reports, audit, operations -----------------------------------------------


@dataclass(frozen=True)
class Table:
    """A verification or report: ``rows`` are dicts keyed by ``columns``.

    Cells travel as exact decimal strings; here a cell that is a plain decimal is a Decimal,
    "n/a" (undefined, e.g. a ratio over 0) and "" are None, the ``item`` column is an int, and
    words and identifiers (book, enterprise, month, date, flag…) stay strings. ``raw_rows`` keeps
    the cells exactly as sent. ``pandas.DataFrame(table.rows, columns=table.columns)`` makes a
    frame of it. Iterating a Table yields its rows.
    """

    columns: List[str]
    rows: List[Dict[str, Any]]
    notes: List[str]
    journal_reads: int  #: journal records the daemon read to answer (0 for verification)
    beyond: int  #: reconcile: materials beyond tolerance
    raw_rows: List[List[str]] = field(default_factory=list, repr=False)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Rate:
    """A customs monthly exchange rate: CNY per unit of ``currency``."""

    month: str  #: YYYY-MM
    currency: str  #: customs numeric code, e.g. "502"
    iso: str  #: ISO 4217 letters, e.g. "USD"
    cny: Decimal


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of verify: the hash chain and every balance recomputed from the journal."""

    ok: bool
    entries: int
    head_seq: int
    head_hash: bytes
    first_bad_seq: int
    chain_problem: str
    items: int
    declarations: int
    balance_problem: str


@dataclass(frozen=True)
class AuditEntry:
    """One journal entry as the audit trail shows it."""

    seq: int
    type: Optional[str]
    time: datetime = _pb("time_ms")
    uid: int = 0
    gid: int = 0
    pid: int = 0
    role: Optional[str] = None
    request_id: int = 0
    summary: str = ""


@dataclass(frozen=True)
class JournalRecord:
    """One journal entry as the journal stream carries it (``Client.journal``): its chain
    hashes and content. Fields not named for its type are empty (docs/WAREHOUSE.md)."""

    seq: int
    hash: bytes
    prev_hash: bytes
    type: Optional[str]
    time: datetime = _pb("time_ms")
    uid: int = 0
    role: Optional[str] = None
    request_id: int = 0
    enterprise: str = ""
    book: str = ""
    summary: str = ""
    declaration: Optional[Declaration] = None
    flow: str = ""
    ref_seq: int = 0
    id: str = ""
    reason: str = ""
    posting_seq: int = 0
    month: str = ""
    effects: List[Effect] = field(default_factory=list)
    date: str = ""
    currency: str = ""
    cny: str = ""
    exports: str = ""
    imports: str = ""


@dataclass(frozen=True)
class Checkpoint:
    """The journal's head signed by the daemon's Ed25519 checkpoint key: ``signature`` is over
    b"bzl-checkpoint-v1" + seq (8 bytes big-endian) + hash + time in ms (8 bytes big-endian,
    signed) — docs/DURABILITY.md "Checkpoints"."""

    seq: int
    hash: bytes
    time: datetime = _pb("time_ms")
    public_key: bytes = b""
    signature: bytes = b""


@dataclass(frozen=True)
class BackupResult:
    """Where a backup went."""

    path: str
    bytes: int
    journal_entries: int
