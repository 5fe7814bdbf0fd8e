"""bzl.Client: one method per bzl.v1 request kind, and pipelines of them.

Each public method of :class:`_Requests` builds one Request body from keyword arguments and
hands it, with what turns the Response into Python values, to the transport below it: a
:class:`Client` sends it and waits for the answer; a :class:`Pipeline` queues it and returns a
:class:`Future`. So the request kinds are written once and the two can never disagree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import (
    Any,
    Callable,
    Dict,
    Generic,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
    Union,
)

from . import _convert as cv
from ._proto import bzl_pb2

pb: Any = bzl_pb2  # generated at build time: its attributes are made at import
from ._wire import FRAME_BYTES_DEFAULT, Connection, default_socket
from .errors import Error, Malformed, TransportError, error_for_status
from .records import (
    ActionResult,
    AuditEntry,
    Checkpoint,
    JournalRecord,
    BackupResult,
    Balance,
    Book,
    Declaration,
    DeclarationInfo,
    DeclarationSummary,
    Enterprise,
    HistoryLine,
    Item,
    Norm,
    Rate,
    ReceiptDiffRow,
    ReceiptResult,
    ScrapRow,
    Stats,
    SubmitResult,
    Table,
    Transfer,
    VerifyReport,
)

__all__ = ["Client", "Pipeline", "Future", "DeclarationLike"]

T = TypeVar("T")
DeclarationLike = Union[Mapping[str, Any], Declaration]
Period = Union[str, Tuple[date, date]]

# Pages a listing follows before deciding the daemon loops (CLI_PAGES_MAX in clients/bzl/cli.h).
_PAGES_MAX = 1 << 20
# Requests a pipeline keeps outstanding before it reads replies: below the daemon's default
# per-connection cap (BZL_CONN_INFLIGHT_MAX, 256), so the daemon never stops reading us.
PIPELINE_WINDOW_DEFAULT = 128
# Queued request bytes a pipeline sends before queueing more.
_PIPELINE_FLUSH_BYTES = 256 * 1024

# A reply turned into the caller's value (raising on a refusal), or for one page of a
# listing into (rows, next_page_token).
Decode = Callable[[Any], Any]
Page = Callable[[Any], Tuple[List[Any], str]]
# What a listing's whole list becomes (reconcile: one Table of every page), when not an iterator.
Finish = Callable[[List[Any]], Any]


# ---- replies -------------------------------------------------------------------------------


def _refusal(status: int, message: str, fault: Any) -> Error:
    """The exception (not raised) for a refusal: a Response's or a SubmitResult's."""
    return error_for_status(
        status,
        cv.status_name(status),
        message,
        line=fault.line,
        field=fault.field,
        item=fault.item,
        available=cv.decimal_value(fault.available) if fault.available else None,
    )


def _error(resp: Any) -> Error:
    """The exception for a refused Response (not raised)."""
    return _refusal(resp.status, resp.message, resp.fault)


def _result(resp: Any, want: str) -> Any:
    """The reply's result ``want`` (a Response oneof name); raises its status on a refusal."""
    if resp.status != pb.STATUS_OK:
        raise _error(resp)
    got = resp.WhichOneof("result")
    if got != want:
        raise Malformed(f"the daemon's reply carries result {got!r} where {want!r} was due")
    return getattr(resp, want)


def _submit_result(msg: Any) -> SubmitResult:
    ok = msg.status == pb.STATUS_OK
    return SubmitResult(
        id=msg.id,
        status=cv.enum_word("Status", msg.status),
        message=msg.message,
        seq=msg.seq,
        replayed=msg.replayed,
        error=None if ok else _refusal(msg.status, msg.message, msg.fault),
    )


def _decode(want: str, cls: type) -> Decode:
    return lambda resp: cv.record(cls, _result(resp, want))


def _page(want: str, rows: str, cls: type) -> Page:
    def page(resp: Any) -> Tuple[List[Any], str]:
        msg = _result(resp, want)
        return [cv.record(cls, r) for r in getattr(msg, rows)], msg.next_page_token

    return page


def _table_page(resp: Any) -> Tuple[List[Any], str]:
    msg = _result(resp, "table")
    return [msg], msg.next_page_token


def _table(resp: Any) -> Table:
    return cv.table([_result(resp, "table")])


def _recorded(resp: Any) -> bool:
    t = _result(resp, "table")
    return bool(t.rows) and list(t.rows[0].cells) == ["recorded"]


def _rate_page(resp: Any) -> Tuple[List[Any], str]:
    msg = _result(resp, "table")
    rows = cv.table([msg]).rows
    rates = [
        Rate(month=r["month"], currency=r["currency"], iso=r["iso"], cny=r["cny"]) for r in rows
    ]
    return rates, msg.next_page_token


def _request(kind: str) -> Tuple[Any, Any]:
    """A Request with body ``kind`` present, and that body to fill."""
    req = pb.Request()
    body = getattr(req, kind)
    body.SetInParent()
    return req, body


def _text(value: Optional[str], what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{what}: expected a string, not {type(value).__name__}")
    return value


def _uint(value: Optional[int], what: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"{what}: expected a whole number >= 0, not {value!r}")
    return value


# ---- the request kinds ---------------------------------------------------------------------


class _Requests:
    """Every request kind of bzl.v1, once. Subclasses supply the transport: ``_unary`` sends a
    request and decodes its reply; ``_paged`` follows a listing's pages."""

    def _unary(self, req: Any, decode: Decode) -> Any:
        raise NotImplementedError

    def _paged(self, req: Any, kind: str, page: Page, finish: Optional[Finish] = None) -> Any:
        raise NotImplementedError

    # -- core records (proto fields 10-29) --

    def register_enterprise(
        self, code: str, uscc: str, name: str, area: Optional[str] = None
    ) -> Enterprise:
        """Registers an enterprise (admin). Returns it as stored. AlreadyExists when the code is
        taken; InvalidCode for a code or USCC (GB 32100 check character) that is not valid."""
        req, body = _request("register_enterprise")
        e = body.enterprise
        e.code, e.uscc, e.name = _text(code, "code"), _text(uscc, "uscc"), _text(name, "name")
        e.area = _text(area, "area")
        return self._unary(req, _decode("enterprise", Enterprise))

    def get_enterprise(self, code: str) -> Enterprise:
        """One enterprise; NotFound when there is none (or it is not the caller's)."""
        req, body = _request("get_enterprise")
        body.code = _text(code, "code")
        return self._unary(req, _decode("enterprise", Enterprise))

    def enterprises(self, *, page_size: int = 0) -> Iterator[Enterprise]:
        """Every enterprise in code order, paging for the caller (page_size 0: the daemon's)."""
        req, body = _request("list_enterprises")
        body.page_size = _uint(page_size, "page_size")
        return self._paged(req, "list_enterprises", _page("enterprises", "enterprises", Enterprise))

    def open_book(
        self,
        book: str,
        enterprise: str,
        verify_mode: Optional[str] = None,
        period_days: Optional[int] = None,
        usage: Optional[str] = None,
    ) -> Book:
        """Opens an account book (admin). ``verify_mode`` is "unit" (the default),
        "work-order" or "consumption"; ``period_days`` None takes the daemon's default;
        ``usage`` "repair" opens a bonded repair book (verified by work order), None or
        "general" a processing-trade book."""
        req, body = _request("open_book")
        b = body.book
        b.book, b.enterprise = _text(book, "book"), _text(enterprise, "enterprise")
        b.verify_mode = cv.enum_number("VerifyMode", verify_mode, "verify_mode")
        b.period_days = _uint(period_days, "period_days")
        b.usage = cv.enum_number("BookUsage", usage, "usage")
        return self._unary(req, _decode("book", Book))

    def get_book(self, book: str) -> Book:
        """One book; NotFound when there is none."""
        req, body = _request("get_book")
        body.book = _text(book, "book")
        return self._unary(req, _decode("book", Book))

    def add_item(
        self,
        book: str,
        kind: str,
        item: int,
        hs: str,
        name: str,
        unit: str,
        mode: Optional[str] = None,
    ) -> Item:
        """Records item number ``item`` (备案序号) of a book (admin). ``kind`` is "material" or
        "product"; ``hs`` the 10-digit HS code; ``unit`` the customs unit code ("035");
        ``mode`` "OEM", "ODM" or "OBM" for a product."""
        req, body = _request("add_item")
        it = body.item
        it.book, it.hs, it.name, it.unit = (
            _text(book, "book"),
            _text(hs, "hs"),
            _text(name, "name"),
            _text(unit, "unit"),
        )
        it.kind = cv.enum_number("Kind", kind, "kind")
        it.item = cv.item_number(item, "item")
        it.mode = cv.enum_number("BizMode", mode, "mode")
        return self._unary(req, _decode("item", Item))

    def get_item(self, book: str, kind: str, item: int) -> Item:
        """One item of a book."""
        req, body = _request("get_item")
        body.book = _text(book, "book")
        body.kind = cv.enum_number("Kind", kind, "kind")
        body.item = cv.item_number(item, "item")
        return self._unary(req, _decode("item", Item))

    def books(self, enterprise: Optional[str] = None, *, page_size: int = 0) -> Iterator[Book]:
        """Books in book order; ``enterprise`` None for every enterprise's (an enterprise
        principal sees only its own)."""
        req, body = _request("list_books")
        body.enterprise = _text(enterprise, "enterprise")
        body.page_size = _uint(page_size, "page_size")
        return self._paged(req, "list_books", _page("books", "books", Book))

    def items(self, book: str, kind: Optional[str] = None, *, page_size: int = 0) -> Iterator[Item]:
        """A book's items in (kind, item) order; ``kind`` None for both."""
        req, body = _request("list_items")
        body.book = _text(book, "book")
        body.kind = cv.enum_number("Kind", kind, "kind")
        body.page_size = _uint(page_size, "page_size")
        return self._paged(req, "list_items", _page("items", "items", Item))

    def submit(self, declaration: DeclarationLike) -> SubmitResult:
        """Submits one declaration: a dict in the CLI's JSON file shape (``json.load`` of a
        file) or a :class:`bzl.Declaration`. Returns the journal sequence (``replayed`` when the
        same id and content were accepted before). A refusal raises its status's exception:
        InsufficientBalance (with ``.available`` and ``.item``), IdReused, PeriodClosed…"""
        req, body = _request("submit")
        cv.declaration_pb(declaration, out=body.declaration)
        return self._unary(req, lambda resp: _submit_result(_result(resp, "submit")))

    def replace_declaration(self, declaration: DeclarationLike, reason: str) -> SubmitResult:
        """Replaces a pending or draft declaration by a new version under the same id (a
        核注清单 change, or a draft declared): the old version is voided with the reason and the
        new one applied, in one step. The same content replays; a posted declaration raises
        StateConflict naming the reversal (docs/INV101.md)."""
        req, body = _request("replace_declaration")
        cv.declaration_pb(declaration, out=body.declaration)
        body.reason = _text(reason, "reason")
        return self._unary(req, lambda resp: _submit_result(_result(resp, "submit")))

    def submit_batch(
        self, declarations: Iterable[DeclarationLike], *, atomic: bool = False
    ) -> List[SubmitResult]:
        """Submits several declarations in one request; each is accepted or refused on its own,
        so a refusal does not raise: its result has ``ok`` False and ``error`` the exception.
        With ``atomic`` the batch is all or nothing: one refusal and none commits, the others'
        results carrying Aborted. The whole request is refused (raised) only when it is over
        the daemon's limits (LimitExceeded past 1,000 declarations by default; FrameTooLarge
        past the frame cap)."""
        req, body = _request("submit_batch")
        body.atomic = bool(atomic)
        for i, d in enumerate(declarations):
            cv.declaration_pb(d, i, out=body.declarations.add())

        def decode(resp: Any) -> List[SubmitResult]:
            return [_submit_result(r) for r in _result(resp, "batch").results]

        return self._unary(req, decode)

    def balances(
        self,
        book: str,
        kind: Optional[str] = None,
        item: Optional[int] = None,
        *,
        page_size: int = 0,
    ) -> Iterator[Balance]:
        """A book's balances in (kind, item) order; ``kind`` None for both, ``item`` None for
        every item."""
        req, body = _request("balances")
        body.book = _text(book, "book")
        body.kind = cv.enum_number("Kind", kind, "kind")
        body.item = 0 if item is None else cv.item_number(item, "item")
        body.page_size = _uint(page_size, "page_size")
        return self._paged(req, "balances", _page("balances", "balances", Balance))

    def stats(self) -> Stats:
        """The daemon's counters since it started."""
        req, _ = _request("stats")
        return self._unary(req, _decode("stats", Stats))

    # -- the bonded ledger (30-59) --

    def set_norm(
        self,
        book: str,
        product: int,
        material: int,
        version: str,
        net: cv.DecimalLike,
        tangible_loss: cv.DecimalLike,
        intangible_loss: cv.DecimalLike,
        bonded_share: Optional[cv.DecimalLike] = None,
        valid_from: Optional[cv.DateLike] = None,
    ) -> ActionResult:
        """Sets (or, while unused, replaces) a consumption norm version; the result's ``norm``
        carries the unit consumption (单耗) the daemon computed at 9 decimals."""
        req, body = _request("set_norm")
        n = body.norm
        n.book, n.version = _text(book, "book"), _text(version, "version")
        n.product = cv.item_number(product, "product")
        n.material = cv.item_number(material, "material")
        n.net = cv.decimal_text(net, "net")
        n.tangible_loss = cv.decimal_text(tangible_loss, "tangible_loss")
        n.intangible_loss = cv.decimal_text(intangible_loss, "intangible_loss")
        if bonded_share is not None:
            n.bonded_share = cv.decimal_text(bonded_share, "bonded_share")
        if valid_from is not None:
            n.valid_from = cv.date_text(valid_from, "valid_from")
        return self._unary(req, _decode("action", ActionResult))

    def norms(
        self, book: str, product: Optional[int] = None, *, page_size: int = 0
    ) -> Iterator[Norm]:
        """A book's norms in (product, material, version) order; ``product`` None for all."""
        req, body = _request("list_norms")
        body.book = _text(book, "book")
        body.product = 0 if product is None else cv.item_number(product, "product")
        body.page_size = _uint(page_size, "page_size")
        return self._paged(req, "list_norms", _page("norms", "norms", Norm))

    def set_item_mode(
        self, book: str, item: int, mode: str, from_date: cv.DateLike
    ) -> ActionResult:
        """Records a product's business-mode upgrade ("OEM", "ODM", "OBM") from a date on; the
        result's ``mode_events`` lists every event of the product."""
        req, body = _request("set_item_mode")
        body.book = _text(book, "book")
        body.item = cv.item_number(item, "item")
        body.mode = cv.enum_number("BizMode", mode, "mode")
        setattr(body, "from", cv.date_text(from_date, "from_date"))
        return self._unary(req, _decode("action", ActionResult))

    def _ref(self, kind: str, id: str, enterprise: str, reason: Optional[str]) -> ActionResult:
        req, body = _request(kind)
        body.id, body.enterprise = _text(id, "id"), _text(enterprise, "enterprise")
        body.reason = _text(reason, "reason")
        return self._unary(req, _decode("action", ActionResult))

    def post(self, id: str, enterprise: str) -> ActionResult:
        """Posts (正式核扣) a pending declaration (customs)."""
        return self._ref("post_declaration", id, enterprise, None)

    def void(self, id: str, enterprise: str, reason: Optional[str] = None) -> ActionResult:
        """Deletes a pending declaration (the enterprise, before customs posts it)."""
        return self._ref("void_declaration", id, enterprise, reason)

    def reject(self, id: str, enterprise: str, reason: str) -> ActionResult:
        """Rejects a pending declaration (customs); the reason is required."""
        return self._ref("reject_declaration", id, enterprise, reason)

    def reverse(self, id: str, enterprise: str, reason: str) -> ActionResult:
        """Journals the exact negation of a posted declaration; the reason is required."""
        return self._ref("reverse_declaration", id, enterprise, reason)

    def close_period(self, book: str, through: cv.DateLike, force: bool = False) -> ActionResult:
        """Refuses anything dated on or before ``through`` from now on, carrying balances
        forward when it is a month's last day. Closing is for good, so a date after the
        daemon's today is refused unless ``force``."""
        req, body = _request("close_period")
        body.book = _text(book, "book")
        body.through = cv.date_text(through, "through")
        body.force = bool(force)
        return self._unary(req, _decode("action", ActionResult))

    def history(
        self,
        book: str,
        kind: str,
        item: int,
        from_date: Optional[cv.DateLike] = None,
        to_date: Optional[cv.DateLike] = None,
        *,
        page_size: int = 0,
    ) -> Iterator[HistoryLine]:
        """The journal lines that moved one item, oldest first, with the running balance."""
        req, body = _request("history")
        body.book = _text(book, "book")
        body.kind = cv.enum_number("Kind", kind, "kind")
        body.item = cv.item_number(item, "item")
        if from_date is not None:
            setattr(body, "from", cv.date_text(from_date, "from_date"))
        if to_date is not None:
            body.to = cv.date_text(to_date, "to_date")
        body.page_size = _uint(page_size, "page_size")
        return self._paged(req, "history", _page("history", "lines", HistoryLine))

    def get_declaration(self, id: str, enterprise: str) -> DeclarationInfo:
        """One declaration as submitted, its state, flow and journal entries, and its customs
        state with the receipts' back-filled values."""
        req, body = _request("get_declaration")
        body.id, body.enterprise = _text(id, "id"), _text(enterprise, "enterprise")

        def decode(resp: Any) -> DeclarationInfo:
            msg = _result(resp, "declaration")
            info = cv.record(DeclarationInfo, msg)
            return DeclarationInfo(
                declaration=cv.declaration_record(msg.declaration),
                state=info.state,
                flow=info.flow,
                entries=info.entries,
                customs_state=info.customs_state,
                receipt_count=info.receipt_count,
                back_fills=info.back_fills,
            )

        return self._unary(req, decode)

    def declarations(
        self,
        state: Optional[str] = None,
        enterprise: Optional[str] = None,
        book: Optional[str] = None,
        from_date: Optional[cv.DateLike] = None,
        to_date: Optional[cv.DateLike] = None,
        trade_mode: Optional[str] = None,
        older_than_days: Optional[int] = None,
        *,
        page_size: int = 0,
    ) -> Iterator[DeclarationSummary]:
        """The queue: declarations in the order they were submitted, oldest first, filtered by
        ``state`` ("posted", "pending", "voided", "rejected", "reversed"), enterprise, book,
        declared dates (inclusive), trade mode and age in days; None matches everything."""
        req, body = _request("list_declarations")
        body.state = cv.enum_number("DeclarationState", state, "state")
        body.enterprise = _text(enterprise, "enterprise")
        body.book = _text(book, "book")
        if from_date is not None:
            setattr(body, "from", cv.date_text(from_date, "from_date"))
        if to_date is not None:
            body.to = cv.date_text(to_date, "to_date")
        body.trade_mode = _text(trade_mode, "trade_mode")
        body.older_than_days = _uint(older_than_days, "older_than_days")
        body.page_size = _uint(page_size, "page_size")
        page = _page("declarations", "declarations", DeclarationSummary)
        return self._paged(req, "list_declarations", page)

    def unmatched_transfers(
        self, enterprise: Optional[str] = None, *, page_size: int = 0
    ) -> Iterator[Transfer]:
        """Deep-processing transfer halves whose counterpart is missing, different, voided or
        reversed; ``enterprise`` None for every enterprise."""
        req, body = _request("unmatched_transfers")
        body.enterprise = _text(enterprise, "enterprise")
        body.page_size = _uint(page_size, "page_size")
        return self._paged(req, "unmatched_transfers", _page("transfers", "transfers", Transfer))

    def scrap(
        self, book: str, item: Optional[int] = None, *, page_size: int = 0
    ) -> Iterator[ScrapRow]:
        """A book's scrap (边角料) allowance per material; ``item`` None for every material."""
        req, body = _request("scrap")
        body.book = _text(book, "book")
        body.item = 0 if item is None else cv.item_number(item, "item")
        body.page_size = _uint(page_size, "page_size")
        return self._paged(req, "scrap", _page("scrap", "rows", ScrapRow))

    # -- verification and reports (60-79) --

    def stocktake(
        self,
        book: str,
        date: cv.DateLike,
        lines: Sequence[Mapping[str, Any]],
        count_scrap: bool = False,
    ) -> Table:
        """Records a stocktake (盘点) of a book on a date; ``lines`` are dicts as in the CLI's
        stocktake file: {"kind": "material"|"product"|"wip"|"scrap", "item": 1, "qty": "3950",
        "bom_version": "1"} (bom_version optional). Returns the counted figures per item."""
        req, body = _request("stocktake")
        body.book = _text(book, "book")
        body.date = cv.date_text(date, "date")
        body.count_scrap = bool(count_scrap)
        for i, ln in enumerate(lines):
            where = f"line {i + 1}"
            unknown = set(ln) - {"kind", "item", "qty", "bom_version"}
            if unknown:
                raise ValueError(f'{where}: unknown field "{sorted(unknown)[0]}"')
            out = body.lines.add()
            out.kind = cv.enum_number("StocktakeKind", ln.get("kind"), f"{where}: kind")
            out.item = cv.item_number(ln.get("item"), f"{where}: item")
            out.qty = cv.decimal_text(ln.get("qty"), f"{where}: qty")
            out.bom_version = _text(ln.get("bom_version"), f"{where}: bom_version")
        return self._unary(req, _table)

    def reconcile(
        self,
        period: Period,
        book: Optional[str] = None,
        tolerance: Optional[cv.DecimalLike] = None,
        *,
        page_size: int = 0,
    ) -> Table:
        """Verification (核销) of one book, or of every book (``book`` None, fetched
        ``page_size`` books a page and joined into one Table) over a period ("2026-01",
        "2026-Q1", "2026", "2026-01-01..2026-03-31" or a pair of dates); ``tolerance`` in percent
        (None: 0.5)."""
        req, body = _request("reconcile")
        body.period = cv.period_text(period, "period")
        body.book = _text(book, "book")
        if tolerance is not None:
            body.tolerance = cv.decimal_text(tolerance, "tolerance")
        body.page_size = _uint(page_size, "page_size")
        return self._paged(req, "reconcile", _table_page, cv.table)

    def set_rate(self, month: Union[date, str], currency: str, cny: cv.DecimalLike) -> bool:
        """Sets a month's customs rate (CNY per unit of ``currency``). True when recorded,
        False when it was already that ("unchanged": nothing journaled)."""
        req, body = _request("set_rate")
        body.month = cv.month_text(month, "month")
        body.currency = _text(currency, "currency")
        body.cny = cv.decimal_text(cny, "cny")
        return self._unary(req, _recorded)

    def rates(
        self, month: Optional[Union[date, str]] = None, *, page_size: int = 0
    ) -> Iterator[Rate]:
        """Customs rates in (month, currency) order; ``month`` None for every month."""
        req, body = _request("list_rates")
        body.month = "" if month is None else cv.month_text(month, "month")
        body.page_size = _uint(page_size, "page_size")
        return self._paged(req, "list_rates", _rate_page)

    def record_trade(
        self,
        month: Union[date, str],
        currency: str,
        exports: cv.DecimalLike,
        imports: cv.DecimalLike,
    ) -> bool:
        """Records the zone's general (non-bonded) trade of a month. True when recorded, False
        when unchanged."""
        req, body = _request("record_trade")
        body.month = cv.month_text(month, "month")
        body.currency = _text(currency, "currency")
        body.exports = cv.decimal_text(exports, "exports")
        body.imports = cv.decimal_text(imports, "imports")
        return self._unary(req, _recorded)

    # -- domestic-sale tax (proto fields 110-119; docs/TAX.md) --

    def set_tariff(
        self,
        hs: str,
        from_date: cv.DateLike,
        duty: cv.DecimalLike,
        vat: Optional[cv.DecimalLike] = None,
        excise: Optional[cv.DecimalLike] = None,
    ) -> bool:
        """Sets an HS code's tax rates (percent) in force from ``from_date``; ``vat`` None for
        13, ``excise`` None for 0. True when recorded, False when unchanged."""
        req, body = _request("set_tariff")
        body.hs = _text(hs, "hs")
        setattr(body, "from", cv.date_text(from_date, "from"))
        body.duty = cv.decimal_text(duty, "duty")
        body.vat = "" if vat is None else cv.decimal_text(vat, "vat")
        body.excise = "" if excise is None else cv.decimal_text(excise, "excise")
        return self._unary(req, _recorded)

    def tariffs(self, hs: Optional[str] = None, *, page_size: int = 0) -> Table:
        """Tariff rows in (hs, from) order, every page joined into one Table; ``hs`` None for
        every code."""
        req, body = _request("list_tariffs")
        body.hs = _text(hs, "hs")
        body.page_size = _uint(page_size, "page_size")
        return self._paged(req, "list_tariffs", _table_page, cv.table)

    def set_interest_rate(self, from_date: cv.DateLike, rate: cv.DecimalLike) -> bool:
        """Sets the 缓税利息 rate (annual percent) in force from ``from_date``. True when
        recorded, False when unchanged."""
        req, body = _request("set_interest_rate")
        setattr(body, "from", cv.date_text(from_date, "from"))
        body.rate = cv.decimal_text(rate, "rate")
        return self._unary(req, _recorded)

    def interest_rates(self) -> Table:
        """The 缓税利息 rate history, built-in and set rows merged, in date order."""
        req, _ = _request("list_interest_rates")
        return self._unary(req, _table)

    def tax_show(self, enterprise: str, id: str) -> Table:
        """The assessment kept with a posted domestic sale: its parts and a total row."""
        req, body = _request("tax_show")
        body.enterprise, body.id = _text(enterprise, "enterprise"), _text(id, "id")
        return self._unary(req, _table)

    def tax_compare(self, enterprise: str, id: str) -> Table:
        """Every basis a domestic sale could be assessed on, computed now, one row each."""
        req, body = _request("tax_compare")
        body.enterprise, body.id = _text(enterprise, "enterprise"), _text(id, "id")
        return self._unary(req, _table)

    def tax_quote(self, declaration: DeclarationLike) -> Table:
        """Every basis a domestic sale not sent yet would be assessed on, computed now; the
        declaration is checked as a submission is, and nothing is stored."""
        req, body = _request("tax_quote")
        cv.declaration_pb(declaration, out=body.declaration)
        return self._unary(req, _table)

    def report_tax(self, period: Period, by: Optional[str] = None) -> Table:
        """Assessments dated in ``period`` summed per group ("enterprise", "item", "month")
        and basis."""
        req, body = _request("tax_report")
        body.period = cv.period_text(period, "period")
        body.by = _text(by, "by")
        return self._unary(req, _table)

    def set_lot_method(self, book: str, method: str) -> bool:
        """Sets how ``book``'s lots are consumed ("FIFO", "SPECIFIC", "AVERAGE"), only at a
        verification boundary (StateConflict otherwise). True when recorded, False when
        unchanged."""
        req, body = _request("set_lot_method")
        body.book, body.method = _text(book, "book"), _text(method, "method")
        return self._unary(req, _recorded)

    def lots(
        self,
        book: str,
        kind: Optional[str] = None,
        item: int = 0,
        as_of: Optional[cv.DateLike] = None,
    ) -> Table:
        """``book``'s open lots with their age in days to ``as_of`` (None: today)."""
        req, body = _request("list_lots")
        body.book = _text(book, "book")
        if kind is not None:
            body.kind = cv.enum_number("Kind", kind, "kind")
        body.item = _uint(item, "item")
        body.as_of = "" if as_of is None else cv.date_text(as_of, "as_of")
        return self._unary(req, _table)

    def _report(self, kind: str, **fields: Any) -> Table:
        req, body = _request("report")
        body.kind = cv.enum_number("ReportKind", kind, "kind")
        for name, value in fields.items():
            setattr(body, name, value)
        return self._unary(req, _table)

    def report_var(
        self, period: Period, by: Optional[str] = None, exclude_transfers: bool = False
    ) -> Table:
        """Value-added ratio (E − I) / I × 100 and (E − I) / E × 100, grouped ``by``
        "enterprise", "product", "mode", "area" or "zone" (None: zone)."""
        return self._report(
            "var",
            period=cv.period_text(period, "period"),
            by=cv.enum_number("ReportBy", by, "by"),
            exclude_transfers=bool(exclude_transfers),
        )

    def report_modes(
        self, period: Period, granularity: Optional[str] = None, exclude_transfers: bool = False
    ) -> Table:
        """OEM/ODM/OBM export value and share per enterprise and zone, by "month" or "quarter"
        (None: quarter)."""
        return self._report(
            "modes",
            period=cv.period_text(period, "period"),
            granularity=cv.enum_number("Granularity", granularity, "granularity"),
            exclude_transfers=bool(exclude_transfers),
        )

    def report_upgrades(self, from_period: Period, to_period: Period) -> Table:
        """Dominant mode per product and enterprise in both periods, the mode events between,
        and the transition matrix."""
        return self._report(
            "upgrades",
            **{
                "from": cv.period_text(from_period, "from_period"),
                "to": cv.period_text(to_period, "to_period"),
            },
        )

    def report_share(self, period: Period, exclude_transfers: bool = False) -> Table:
        """The processing-trade share of the zone's trade per month."""
        return self._report(
            "share",
            period=cv.period_text(period, "period"),
            exclude_transfers=bool(exclude_transfers),
        )

    # -- access control and audit (80-89) --

    def verify(self) -> VerifyReport:
        """Walks the journal's hash chain and recomputes every balance from the journal.
        ``ok`` False (not an exception) names the first bad sequence and why."""
        req, _ = _request("verify")
        return self._unary(req, _decode("verify", VerifyReport))

    def audit(
        self,
        from_seq: Optional[int] = None,
        until_seq: Optional[int] = None,
        since: Optional[Union[datetime, date, int]] = None,
        until: Optional[Union[datetime, date, int]] = None,
        uid: Optional[int] = None,
        enterprise: Optional[str] = None,
        book: Optional[str] = None,
        action: Optional[str] = None,
        *,
        page_size: int = 0,
    ) -> Iterator[AuditEntry]:
        """Who did what: journal entries oldest first, with sequence bounds (inclusive), time
        bounds (``since`` inclusive, ``until`` exclusive; datetimes, dates or epoch ms), the
        writer's uid, the enterprise or book the entry touched, and its type (``action``: an
        entry type word, "declaration", "post", "reverse", "rate"…)."""
        req, body = _request("audit")
        body.from_seq = _uint(from_seq, "from_seq")
        body.until_seq = _uint(until_seq, "until_seq")
        if since is not None:
            body.since_ms = cv.time_ms_text(since, "since")
        if until is not None:
            body.until_ms = cv.time_ms_text(until, "until")
        if uid is not None:
            body.by_uid, body.uid = True, _uint(uid, "uid")
        body.enterprise = _text(enterprise, "enterprise")
        body.book = _text(book, "book")
        body.action = cv.enum_number("EntryType", action, "action")
        body.page_size = _uint(page_size, "page_size")
        return self._paged(req, "audit", _page("audit", "entries", AuditEntry))

    def journal(
        self, after_seq: int = 0, *, page_size: int = 0, wait_ms: int = 0
    ) -> Iterator[JournalRecord]:
        """The journal as a stream: every entry after ``after_seq``, oldest first, with its hash,
        the previous entry's hash and its content, to the journal's head. ``wait_ms``: when
        nothing follows ``after_seq`` yet, wait up to that long for a commit (the daemon caps
        it). NotFound when the journal has no entry ``after_seq``."""
        req, body = _request("journal")
        body.after_seq = _uint(after_seq, "after_seq")
        body.page_size = _uint(page_size, "page_size")
        body.wait_ms = _uint(wait_ms, "wait_ms")
        return self._paged(req, "journal", _page("journal", "entries", JournalRecord))

    def checkpoint(self) -> Checkpoint:
        """The journal's head (sequence, hash, time) signed with the daemon's checkpoint key. Kept
        off the ledger's host, it lets ``bzl verify --checkpoint`` prove later that the journal
        still extends it (no entry before it rewritten, no rollback behind it)."""
        req, _ = _request("checkpoint")
        return self._unary(req, _decode("checkpoint", Checkpoint))

    # -- bonded repair books (120-129) --

    def open_workorder(
        self, book: str, item: int, origin: str, on: Union[date, str]
    ) -> Table:
        """Opens a work order on a repair book for one unit of product ``item`` awaiting
        repair from ``origin`` ("abroad" or "outside"), dated ``on``. The Table's one row is the
        work order, its number in column "workorder"."""
        req, body = _request("open_workorder")
        body.book = _text(book, "book")
        body.item = _uint(item, "item")
        body.origin = _text(origin, "origin")
        body.date = cv.date_text(on, "date")
        return self._unary(req, _table)

    def complete_workorder(
        self,
        book: str,
        workorder: int,
        on: Union[date, str],
        unrepairable: bool = False,
        materials: Optional[Dict[int, cv.DecimalLike]] = None,
        parts: Optional[Dict[int, cv.DecimalLike]] = None,
    ) -> Table:
        """Completes an open work order as repaired (or ``unrepairable``): ``materials`` the
        repair materials used ({item: qty}), ``parts`` the old parts taken out (at most the
        materials of the same item used)."""
        req, body = _request("complete_workorder")
        body.book = _text(book, "book")
        body.workorder = _uint(workorder, "workorder")
        body.date = cv.date_text(on, "date")
        body.unrepairable = bool(unrepairable)
        for item, qty in (materials or {}).items():
            line = body.materials.add()
            line.item = _uint(item, "materials")
            line.qty = cv.decimal_text(qty, "materials")
        for item, qty in (parts or {}).items():
            line = body.parts.add()
            line.item = _uint(item, "parts")
            line.qty = cv.decimal_text(qty, "parts")
        return self._unary(req, _table)

    def workorders(self, book: str, workorder: int = 0, *, page_size: int = 0) -> Table:
        """A repair book's work orders in number order (every page joined), or the one
        numbered ``workorder``."""
        req, body = _request("list_workorders")
        body.book = _text(book, "book")
        body.workorder = _uint(workorder, "workorder")
        body.page_size = _uint(page_size, "page_size")
        return self._paged(req, "list_workorders", _table_page, cv.table)

    def repair_overdue(
        self, book: Optional[str] = None, as_of: Optional[Union[date, str]] = None
    ) -> Table:
        """Old parts of repair books past or near the zone's disposal period (FIFO), as of
        ``as_of`` (None: the daemon's today); every repair book when ``book`` is None."""
        req, body = _request("repair_overdue")
        body.book = _text(book, "book")
        if as_of is not None:
            body.as_of = cv.date_text(as_of, "as_of")
        return self._unary(req, _table)

    def record_delivery(
        self,
        book: str,
        counterpart_book: str,
        kind: str,
        item: int,
        qty: cv.DecimalLike,
        on: Union[date, str],
        is_return: bool = False,
    ) -> Table:
        """Records one batch of a deep-processing transfer in ``book``'s delivery register:
        ``kind`` "product" for what the sending side delivered, "material" for what the
        receiving side received; ``is_return`` for goods sent back."""
        req, body = _request("record_delivery")
        body.book = _text(book, "book")
        body.counterpart_book = _text(counterpart_book, "counterpart_book")
        body.kind = cv.enum_number("Kind", kind, "kind")
        body.item = _uint(item, "item")
        body.qty = cv.decimal_text(qty, "qty")
        body.date = cv.date_text(on, "date")
        body.is_return = bool(is_return)
        return self._unary(req, _table)

    # -- customs receipts (135-139, docs/INV101.md "Receipts") --

    def apply_receipt(
        self,
        message: str,
        code: str = "",
        *,
        enterprise: Optional[str] = None,
        id: Optional[str] = None,
        seq_no: Optional[str] = None,
        fields: Sequence[Tuple[int, int, str, str]] = (),
    ) -> ReceiptResult:
        """Applies one customs receipt to its list (customs, admin): ``message`` "IMPORT",
        "INV201", "INV202" or "INV211", ``code`` its DealFlag or manageResult as sent, the list
        named by ``enterprise`` and ``id`` (its EtpsInnerInvtNo) or by ``seq_no`` once recorded,
        ``fields`` the back-filled values as (group, line, name, value). A receipt applied
        before is replayed (``replayed``). NotFound for an unknown list; StateConflict when
        next-wave.md A.6 does not allow the step."""
        req, body = _request("apply_receipt")
        body.enterprise = _text(enterprise, "enterprise")
        body.id = _text(id, "id")
        body.seq_no = _text(seq_no, "seq_no")
        body.message = cv.enum_number("ReceiptMessage", message, "message")
        body.code = _text(code, "code")
        for group, line, name, value in fields:
            f = body.fields.add()
            f.group, f.line = _uint(group, "group"), _uint(line, "line")
            f.name, f.value = _text(name, "name"), _text(value, "value")
        return self._unary(req, _decode("receipt", ReceiptResult))

    def receipt_diff(
        self, book: Optional[str] = None, *, page_size: int = 0
    ) -> Iterator[ReceiptDiffRow]:
        """The book items whose latest INV211 book line disagrees with bzl's posted quantity;
        ``book`` None for every book."""
        req, body = _request("receipt_diff")
        body.book = _text(book, "book")
        body.page_size = _uint(page_size, "page_size")
        return self._paged(req, "receipt_diff", _page("receipt_diff", "rows", ReceiptDiffRow))

    def transfers_report(
        self, counterpart: Optional[str] = None, as_of: Optional[Union[date, str]] = None
    ) -> Table:
        """Deliveries against posted transfer declarations per (book, counterpart, item), aged
        first in first out, flagging deliveries undeclared past the zone's limit (90 days)."""
        req, body = _request("transfers_report")
        body.counterpart = _text(counterpart, "counterpart")
        if as_of is not None:
            body.as_of = cv.date_text(as_of, "as_of")
        return self._unary(req, _table)

    # -- operations (100-109) --

    def backup(self, out: str) -> BackupResult:
        """A hot, consistent, compacted copy of the ledger written by the daemon to ``out`` (an
        absolute path on its side that must not exist: AlreadyExists otherwise)."""
        req, body = _request("backup")
        body.out = _text(out, "out")
        return self._unary(req, _decode("backup", BackupResult))


#: Request body field → the method that sends it (tests prove every kind has one).
METHODS: Dict[str, str] = {
    "register_enterprise": "register_enterprise",
    "get_enterprise": "get_enterprise",
    "list_enterprises": "enterprises",
    "open_book": "open_book",
    "get_book": "get_book",
    "add_item": "add_item",
    "get_item": "get_item",
    "list_books": "books",
    "list_items": "items",
    "submit": "submit",
    "submit_batch": "submit_batch",
    "balances": "balances",
    "stats": "stats",
    "set_norm": "set_norm",
    "list_norms": "norms",
    "set_item_mode": "set_item_mode",
    "post_declaration": "post",
    "void_declaration": "void",
    "reverse_declaration": "reverse",
    "close_period": "close_period",
    "history": "history",
    "get_declaration": "get_declaration",
    "list_declarations": "declarations",
    "unmatched_transfers": "unmatched_transfers",
    "scrap": "scrap",
    "reject_declaration": "reject",
    "stocktake": "stocktake",
    "reconcile": "reconcile",
    "set_rate": "set_rate",
    "list_rates": "rates",
    "record_trade": "record_trade",
    "report": "report_var",
    "verify": "verify",
    "audit": "audit",
    "journal": "journal",
    "checkpoint": "checkpoint",
    "backup": "backup",
    "open_workorder": "open_workorder",
    "complete_workorder": "complete_workorder",
    "list_workorders": "workorders",
    "repair_overdue": "repair_overdue",
    "record_delivery": "record_delivery",
    "transfers_report": "transfers_report",
    "set_tariff": "set_tariff",
    "list_tariffs": "tariffs",
    "set_interest_rate": "set_interest_rate",
    "list_interest_rates": "interest_rates",
    "tax_show": "tax_show",
    "tax_compare": "tax_compare",
    "tax_report": "report_tax",
    "set_lot_method": "set_lot_method",
    "list_lots": "lots",
    "tax_quote": "tax_quote",
    "replace_declaration": "replace_declaration",
    "apply_receipt": "apply_receipt",
    "receipt_diff": "receipt_diff",
}


# ---- the client ----------------------------------------------------------------------------


class Client(_Requests):
    """A connection to bzld. Every request method blocks until its answer and returns it as
    Python values, or raises the refusal's :class:`bzl.Error` subclass.

    ``socket`` defaults to $BZL_SOCKET, else ./bzl-data/bzld.sock (the CLI's rule). ``timeout``
    (seconds, None for none) bounds how long the daemon may move no byte before
    :class:`bzl.Timeout`. Requests and replies are capped at ``frame_bytes_max`` (the daemon's
    default, 1 MiB). Use it as a context manager, or call :meth:`close`. Not thread-safe: one
    Client per thread.
    """

    def __init__(
        self,
        socket: Optional[str] = None,
        timeout: Optional[float] = 30,
        frame_bytes_max: int = FRAME_BYTES_DEFAULT,
    ) -> None:
        self.socket = socket if socket is not None else default_socket()
        self._conn = Connection(self.socket, timeout, frame_bytes_max)
        self._next_id = 1
        self._pipeline: Optional[Pipeline] = None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Closes the connection. Safe to call twice."""
        self._conn.close()

    @property
    def requests_sent(self) -> int:
        """How many requests this client has sent (the last request id)."""
        return self._next_id - 1

    def pipeline(self, window: int = PIPELINE_WINDOW_DEFAULT) -> "Pipeline":
        """A pipeline on this connection: its methods send at once and return :class:`Future`
        objects; the replies are read in order (at most ``window`` requests outstanding) and
        all of them by the end of the ``with`` block."""
        return Pipeline(self, window)

    # -- transport --

    def _send(self, req: Any) -> int:
        req.id = self._next_id
        self._conn.queue(req.SerializeToString())
        self._next_id += 1
        return req.id

    def _receive(self, want_id: int) -> Any:
        """The next reply, which must answer ``want_id``. A reply with id 0 is the daemon
        refusing the connection (over the connection cap, a frame over its cap…): its status
        is raised and the connection is closed, as the daemon closes it."""
        self._conn.pump(1)
        body = self._conn.take()
        try:
            resp = pb.Response.FromString(body)
        except Exception:
            # The frame boundaries are intact, so the stream stays in step.
            raise Malformed(f"a reply frame of {len(body)} bytes is not a valid Response") from None
        if resp.id == want_id:
            return resp
        if resp.id == 0 and resp.status != pb.STATUS_OK:
            raise self._conn.fail(_error(resp))
        raise self._conn.fail(
            TransportError(f"reply id {resp.id} does not answer request id {want_id}")
        )

    def _exchange(self, req: Any) -> Any:
        if self._pipeline is not None:
            raise RuntimeError("a pipeline is open on this client: send through it")
        return self._receive(self._send(req))

    def _unary(self, req: Any, decode: Decode) -> Any:
        return decode(self._exchange(req))

    def _paged(self, req: Any, kind: str, page: Page, finish: Optional[Finish] = None) -> Any:
        it = self._pages(req, kind, page)
        return it if finish is None else finish(list(it))

    def _pages(self, req: Any, kind: str, page: Page) -> Iterator[Any]:
        body = getattr(req, kind)
        for _ in range(_PAGES_MAX):
            rows, token = page(self._exchange(req))
            yield from rows
            if not token:
                return
            if token == body.page_token:
                raise Malformed(f"the daemon's {kind} pages do not advance")
            body.page_token = token
        raise Malformed(f"the daemon's {kind} pages do not end")


# ---- pipelines -----------------------------------------------------------------------------


class Future(Generic[T]):
    """The answer to one pipelined request. :meth:`result` returns it or raises its error; asked
    before the reply was read it reads up to it."""

    __slots__ = ("_pipeline", "_done", "_value", "_error")

    def __init__(self, pipeline: "Pipeline") -> None:
        self._pipeline = pipeline
        self._done = False
        self._value: Any = None
        self._error: Optional[BaseException] = None

    def done(self) -> bool:
        return self._done

    def result(self) -> T:
        if not self._done:
            self._pipeline._resolve(self)
        if self._error is not None:
            raise self._error
        return self._value

    def exception(self) -> Optional[BaseException]:
        if not self._done:
            self._pipeline._resolve(self)
        return self._error

    def _set(self, value: Any = None, error: Optional[BaseException] = None) -> None:
        self._done, self._value, self._error = True, value, error


class Pipeline(_Requests):
    """Many requests in flight on one connection. Each request method takes the arguments of
    the :class:`Client` method of that name and returns a :class:`Future` of what the Client
    method returns (a listing: a Future of the whole list, its later pages requested as the
    earlier arrive). Replies are read in request order: while more than ``window`` requests are
    outstanding, and at the end of the ``with`` block, which returns once every Future is done.
    A refusal stays in its Future; a failure of the connection itself (a timeout, a connection
    refused with id 0) fails every outstanding Future and is raised at the end of the block.
    """

    def __init__(self, client: Client, window: int) -> None:
        if window < 1:
            raise ValueError("window must be at least 1")
        self._client = client
        self._window = window
        # Outstanding requests in order: (request id, what to do with its reply).
        self._pending: List[Tuple[int, Callable[[Any], None]]] = []
        self._head = 0  # index of the oldest outstanding entry in _pending
        self._failure: Optional[Error] = None
        self._reading = False  # a reply is being handled: a page it queues must not read

    def __enter__(self) -> "Pipeline":
        if self._client._pipeline is not None:
            raise RuntimeError("a pipeline is already open on this client")
        self._client._pipeline = self
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            self._drain()
        except Error:
            if exc_type is None:
                raise
        finally:
            self._client._pipeline = None

    @property
    def outstanding(self) -> int:
        return len(self._pending) - self._head

    # -- transport --

    def _queue(self, req: Any, on_reply: Callable[[Any], None]) -> None:
        if self._client._pipeline is not self:
            raise RuntimeError("send through a pipeline inside its with block")
        if self._failure is not None:
            raise self._failure
        rid = self._client._send(req)
        self._pending.append((rid, on_reply))
        if self._reading:
            return
        if self.outstanding > self._window:
            self._read(self.outstanding - self._window)
        elif self._client._conn.unsent_bytes >= _PIPELINE_FLUSH_BYTES:
            self._pump(0)

    def _pump(self, want: int) -> None:
        try:
            self._client._conn.pump(want)
        except Error as e:
            self._fail_all(e)
            raise

    def _fail_all(self, e: Error) -> None:
        self._failure = e
        pending, self._pending, self._head = self._pending[self._head :], [], 0
        for _, on_reply in pending:
            on_reply(e)

    def _read(self, n: int) -> None:
        """Reads the next ``n`` replies, in order, into their futures."""
        for _ in range(n):
            if not self.outstanding:
                return
            rid, on_reply = self._pending[self._head]
            try:
                resp: Any = self._client._receive(rid)
            except Error as e:
                if self._client._conn.closed:
                    self._fail_all(e)
                    raise
                resp = e  # an undecodable reply: this request's error; the stream is in step
            self._head += 1
            self._reading = True
            try:
                on_reply(resp)
            finally:
                self._reading = False
            if self._head > 4096 and self._head * 2 > len(self._pending):
                del self._pending[: self._head]
                self._head = 0

    def _drain(self) -> None:
        while self.outstanding:
            self._read(self.outstanding)
        if self._failure is not None:
            raise self._failure

    def _resolve(self, fut: Future) -> None:  # type: ignore[type-arg]
        while not fut.done():
            if not self.outstanding:
                raise RuntimeError("this future's pipeline has no request outstanding for it")
            self._read(1)

    # -- the two shapes of request --

    def _unary(self, req: Any, decode: Decode) -> Future:  # type: ignore[override]
        fut: Future[Any] = Future(self)

        def on_reply(resp: Any) -> None:
            if isinstance(resp, BaseException):
                fut._set(error=resp)
                return
            try:
                fut._set(decode(resp))
            except Exception as e:  # a refusal, or a reply this client cannot read
                fut._set(error=e)

        self._queue(req, on_reply)
        return fut

    def _paged(  # type: ignore[override]
        self, req: Any, kind: str, page: Page, finish: Optional[Finish] = None
    ) -> Future:
        fut: Future[Any] = Future(self)
        rows: List[Any] = []
        body = getattr(req, kind)
        pages = [0]

        def on_reply(resp: Any) -> None:
            if isinstance(resp, BaseException):
                fut._set(error=resp)
                return
            try:
                got, token = page(resp)
                rows.extend(got)
                pages[0] += 1
                if token and (token == body.page_token or pages[0] >= _PAGES_MAX):
                    raise Malformed(f"the daemon's {kind} pages do not advance or end")
            except Exception as e:  # a refusal, or a reply this client cannot read
                fut._set(error=e)
                return
            if not token:
                fut._set(finish(rows) if finish is not None else rows)
                return
            body.page_token = token
            self._queue(req, on_reply)  # the next page, after what is already queued

        self._queue(req, on_reply)
        return fut
