"""Between Python values and the wire: decimals, dates, enum words, records and declarations.

Pure functions, no I/O. Decimals go out as plain decimal strings and come back as Decimal,
never through float; dates go out as YYYY-MM-DD; enums are the CLI's words, derived from the
generated module's descriptors so a value added to the proto gets its word without an edit here.
"""

from __future__ import annotations

import collections.abc as abc
import dataclasses
import functools
import re
import typing
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ._proto import bzl_pb2

pb: Any = bzl_pb2  # generated at build time: its attributes are made at import
from .records import Declaration, DeclarationLine, Table

DecimalLike = Union[Decimal, int, str]
DateLike = Union[date, str]

# ---- decimals and dates --------------------------------------------------------------------

# What the daemon writes: an optional minus, digits without leading zeros, optional decimals.
_PLAIN_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?\Z")


def decimal_text(value: Any, what: str) -> str:
    """The wire text of a decimal given as Decimal, int or str. A float is refused: binary
    floating point cannot hold 0.1, and the ledger is exact. The daemon parses the text strictly
    and names the field when it is malformed or out of range; here only what cannot be a decimal
    string at all is refused."""
    if isinstance(value, float):
        raise TypeError(
            f"{what}: {type(value).__name__} {value!r} is not exact; pass a decimal.Decimal or a "
            'string such as "20000.5"'
        )
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{what}: {value} is not a finite decimal")
        return format(value, "f")  # never an exponent: Decimal('1E+3') → "1000"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"{what}: expected a Decimal, int or str, not {type(value).__name__}")


def decimal_value(text: str) -> Optional[Decimal]:
    """A reply's decimal string as a Decimal; None for "" (not set) and "n/a" (undefined)."""
    if text == "" or text == "n/a":
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"the daemon sent {text!r} where a decimal was due") from None


def date_text(value: DateLike, what: str) -> str:
    """YYYY-MM-DD from a date (a datetime is refused: which day it is depends on a zone) or a
    string passed through for the daemon to check."""
    if isinstance(value, datetime):
        raise TypeError(f"{what}: pass a datetime.date, not a datetime (use .date())")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise TypeError(
        f"{what}: expected a datetime.date or a YYYY-MM-DD string, not {type(value).__name__}"
    )


def date_value(text: str) -> Optional[date]:
    return date.fromisoformat(text) if text else None


def month_text(value: Union[date, str], what: str) -> str:
    """YYYY-MM from a date (its month) or a string."""
    if isinstance(value, datetime):
        raise TypeError(f'{what}: pass a datetime.date or "YYYY-MM", not a datetime')
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str):
        return value
    raise TypeError(f'{what}: expected "YYYY-MM" or a datetime.date, not {type(value).__name__}')


def period_text(value: Union[str, Tuple[date, date]], what: str) -> str:
    """A period: "YYYY-MM", "YYYY-Qn", "YYYY", "DATE..DATE", or a (first, last) pair of dates."""
    if isinstance(value, tuple) and len(value) == 2:
        return f"{date_text(value[0], what)}..{date_text(value[1], what)}"
    if isinstance(value, str):
        return value
    raise TypeError(f"{what}: expected a period string or a (first, last) pair of dates")


def time_ms_value(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc)


def time_ms_text(value: Union[datetime, date, int], what: str) -> int:
    """Milliseconds since the epoch from a datetime (naive means local time, as
    datetime.timestamp says), a date (its local midnight) or an int of milliseconds."""
    if isinstance(value, bool):
        raise TypeError(f"{what}: expected a datetime, date or int of milliseconds")
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, date):
        return int(datetime(value.year, value.month, value.day).timestamp() * 1000)
    if isinstance(value, int):
        return value
    raise TypeError(f"{what}: expected a datetime, date or int of milliseconds")


# ---- enums as words ------------------------------------------------------------------------

# How each enum's words are spelled, after its type prefix is taken off the value names
# (KIND_MATERIAL → "material"): lower case unless listed. The zero value means "none" or
# "unspecified" and reads as None, except where it is a real answer (Status OK, Role NONE).
_UPPER = {"BizMode", "Status", "ReceiptMessage"}
_DASHED = {"VerifyMode"}
_ZERO_IS_WORD = {"Status", "Role"}


def _prefix(enum_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", enum_name).upper() + "_"


@functools.lru_cache(maxsize=None)
def _words(enum_name: str) -> Tuple[Dict[int, str], Dict[str, int]]:
    desc = pb.DESCRIPTOR.enum_types_by_name[enum_name]
    prefix = _prefix(enum_name)
    by_number: Dict[int, str] = {}
    for v in desc.values:
        word = v.name[len(prefix) :] if v.name.startswith(prefix) else v.name
        if enum_name not in _UPPER:
            word = word.lower()
        if enum_name in _DASHED:
            word = word.replace("_", "-")
        if v.number == 0 and enum_name not in _ZERO_IS_WORD:
            continue
        by_number[v.number] = word
    return by_number, {w: n for n, w in by_number.items()}


def enum_word(enum_name: str, number: int) -> Optional[str]:
    """The word of an enum value; None for the zero value, "ENUM_<n>" for a number this client's
    proto does not know (a newer daemon)."""
    by_number, _ = _words(enum_name)
    if number in by_number:
        return by_number[number]
    return None if number == 0 else f"{_prefix(enum_name)}{number}"


def enum_number(enum_name: str, word: Optional[str], what: str) -> int:
    """The number of a word (None → 0, the daemon's default). A ValueError names the words."""
    if word is None:
        return 0
    _, by_word = _words(enum_name)
    if not isinstance(word, str) or word not in by_word:
        allowed = ", ".join(repr(w) for w in by_word)
        raise ValueError(f"{what}: {word!r} is not one of {allowed}")
    return by_word[word]


def status_name(number: int) -> Optional[str]:
    """The Status name without its prefix ("NOT_FOUND"), None for a number the proto lacks."""
    by_number, _ = _words("Status")
    return by_number.get(number)


# ---- replies → records ---------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _hints(cls: type) -> Dict[str, Any]:
    return typing.get_type_hints(cls)


def _strip_optional(t: Any) -> Any:
    if typing.get_origin(t) is Union:
        args = [a for a in typing.get_args(t) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return t


def _value(t: Any, v: Any, fd: Any) -> Any:
    t = _strip_optional(t)
    if typing.get_origin(t) in (list, List):
        (inner,) = typing.get_args(t)
        return [_value(inner, x, fd) for x in v]
    if fd.enum_type is not None:
        return enum_word(fd.enum_type.name, v)
    if t is Decimal:
        return decimal_value(v)
    if t is date:
        return date_value(v)
    if t is datetime:
        return time_ms_value(v)
    if dataclasses.is_dataclass(t):
        return record(t, v)
    return v


def record(cls: type, msg: Any) -> Any:
    """The dataclass ``cls`` filled from the protobuf message ``msg`` by field name. A field the
    proto lacks (a record grown before the proto) keeps its default; fields the proto has and the
    record lacks (a newer proto) are left out."""
    fields_by_name = msg.DESCRIPTOR.fields_by_name
    hints = _hints(cls)
    kwargs: Dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        pb_name = f.metadata.get("pb", f.name)
        fd = fields_by_name.get(pb_name)
        if fd is None or not f.init:
            continue
        if (
            fd.message_type is not None
            and fd.label != fd.LABEL_REPEATED
            and not msg.HasField(pb_name)
        ):
            kwargs[f.name] = None
            continue
        kwargs[f.name] = _value(hints[f.name], getattr(msg, pb_name), fd)
    return cls(**kwargs)


# The Table columns that hold words or identifiers, never numbers: they stay strings even when
# they look like digits (an enterprise code, a currency code, a month).
_TEXT_COLUMNS = frozenset(
    "book date group bucket enterprise section entity from_mode to_mode change month currency "
    "iso flag scrap_counts done name unit hs id flow state kind direction mode version category "
    "why".split()
)


def _cell(column: str, text: str) -> Any:
    if column in _TEXT_COLUMNS:
        return text
    if column == "item" and text.isdigit():
        return int(text)
    if text == "" or text == "n/a":
        return None
    return Decimal(text) if _PLAIN_DECIMAL.match(text) else text


def table(msgs: Sequence[Any]) -> Table:
    """One Table from the pages of a reply (one page for most; reconcile of every book and the
    rate listing page): rows in order, notes of the last page, reads and counts summed."""
    columns = list(msgs[0].columns) if msgs else []
    raw: List[List[str]] = []
    for m in msgs:
        raw.extend(list(r.cells) for r in m.rows)
    rows = [{c: _cell(c, r[i] if i < len(r) else "") for i, c in enumerate(columns)} for r in raw]
    return Table(
        columns=columns,
        rows=rows,
        notes=list(msgs[-1].notes) if msgs else [],
        journal_reads=sum(m.journal_reads for m in msgs),
        beyond=sum(m.beyond for m in msgs),
        raw_rows=raw,
    )


# ---- declarations → the wire ---------------------------------------------------------------

# The CLI's JSON declaration shape (clients/bzl/decl_json.c): field → (required, type word).
_DECL_FIELDS = {
    "id": (True, "text"),
    "enterprise": (True, "text"),
    "book": (True, "text"),
    "kind": (True, "Kind"),
    "direction": (True, "Direction"),
    "trade_mode": (True, "text"),
    "date": (True, "date"),
    "pending": (False, "bool"),
    "related_book": (False, "text"),
    "related_id": (False, "text"),
    "origin": (False, "text"),  # repair books: "abroad" or "outside"
    "duty_basis": (False, "text"),  # a product sold at home: "material" or "product"
    "tax_date": (False, "date"),  # a domestic sale: the tax notice's date
    "lines": (True, "lines"),
}
_LINE_FIELDS = {
    "item": (True, "item"),
    "qty": (True, "decimal"),
    "unit": (True, "text"),
    "value": (True, "decimal"),
    "currency": (True, "text"),
    "usd": (False, "decimal"),
    "bom_version": (False, "text"),
    "mode": (False, "BizMode"),
    "country": (False, "text"),
    "lots": (False, "lots"),  # SPECIFIC lots: [{"receipt": ID, "line": N, "qty": "Q"}]
}
_LOT_FIELDS = {
    "receipt": (True, "text"),
    "line": (True, "item"),
    "qty": (True, "decimal"),
}
ITEM_MAX = 999999999  # BZL_ITEM_NO_MAX: 9-digit item numbers


def item_number(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what}: expected a whole number, not {type(value).__name__}")
    if not 1 <= value <= ITEM_MAX:
        raise ValueError(f"{what}: must be from 1 to {ITEM_MAX}, not {value}")
    return value


def _put(msg: Any, name: str, kind: str, value: Any, where: str) -> None:
    what = f'{where}field "{name}"'
    if value is None:
        return
    if kind == "text":
        if not isinstance(value, str):
            raise TypeError(f"{what}: expected a string, not {type(value).__name__}")
        setattr(msg, name, value)
    elif kind == "decimal":
        setattr(msg, name, decimal_text(value, what))
    elif kind == "date":
        setattr(msg, name, date_text(value, what))
    elif kind == "bool":
        if not isinstance(value, bool):
            raise TypeError(f"{what}: expected True or False, not {type(value).__name__}")
        setattr(msg, name, value)
    elif kind == "item":
        setattr(msg, name, item_number(value, what))
    else:
        setattr(msg, name, enum_number(kind, value, what))


def _fill(
    msg: Any, obj: Mapping[str, Any], spec: Mapping[str, Tuple[bool, str]], where: str
) -> None:
    for key in obj:
        if key not in spec:
            raise ValueError(f'{where}unknown field "{key}"')
    for key, (required, kind) in spec.items():
        if required and obj.get(key) is None:
            raise ValueError(f'{where}missing field "{key}"')
        if kind == "lots":
            lots = obj.get(key)
            if lots is None:
                continue
            if isinstance(lots, (str, bytes, abc.Mapping)) or not isinstance(lots, abc.Sequence):
                raise TypeError(f'{where}field "lots" must be a list, not {type(lots).__name__}')
            for i, lot in enumerate(lots):
                if not isinstance(lot, abc.Mapping):
                    raise TypeError(f'{where}lot {i + 1} must be a dict, not {type(lot).__name__}')
                _fill(msg.lots.add(), lot, _LOT_FIELDS, f"{where}lot {i + 1}: ")
        elif kind != "lines":
            _put(msg, key, kind, obj.get(key), where)


def _as_mapping(obj: Any) -> Mapping[str, Any]:
    if isinstance(obj, (Declaration, DeclarationLine)):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict) or isinstance(obj, abc.Mapping):
        return obj
    raise TypeError(f"expected a dict or a bzl.Declaration, not {type(obj).__name__}")


def declaration_pb(
    decl: Union[Mapping[str, Any], Declaration], index: Optional[int] = None, out: Any = None
) -> Any:
    """A Declaration message (written into ``out`` when given) from a dict in the CLI's JSON
    file shape (decimals as strings or Decimal, dates as strings or date) or a
    :class:`bzl.Declaration`. The shape is checked as the CLI checks a file: unknown and
    missing fields are errors naming the declaration, line and field; codes, dates and decimals
    are left to the daemon, which names the field at fault."""
    obj = _as_mapping(decl)
    ident = obj.get("id")
    where = f"declaration {index + 1}" if index is not None else "declaration"
    where += f" (id {ident}): " if isinstance(ident, str) else ": "
    msg = pb.Declaration() if out is None else out
    _fill(msg, obj, _DECL_FIELDS, where)
    lines = obj.get("lines")
    if isinstance(lines, (str, bytes, abc.Mapping)) or not isinstance(lines, abc.Sequence):
        raise TypeError(f'{where}field "lines" must be a list of lines, not {type(lines).__name__}')
    if not lines:
        raise ValueError(f'{where}field "lines" is empty: a declaration has at least one line')
    for i, line in enumerate(lines):
        _fill(msg.lines.add(), _as_mapping(line), _LINE_FIELDS, f"{where}line {i + 1}: ")
    return msg


def declaration_record(msg: Any) -> Declaration:
    d = record(Declaration, msg)
    # Optional text the wire carries as "": None, so to_dict() leaves it out like the file did.
    lines = [
        dataclasses.replace(ln, bom_version=ln.bom_version or None, country=ln.country or None)
        for ln in d.lines
    ]
    return dataclasses.replace(
        d,
        lines=lines,
        related_book=d.related_book or None,
        related_id=d.related_id or None,
        origin=d.origin or None,
    )
