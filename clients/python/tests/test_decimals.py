"""Proves quantities and amounts are exact: Decimal('0.00001') (the smallest quantity) and
9999999999999.99999 (the largest: 13 integer digits, 5 decimals) go to bzld and come back in
the balances digit for digit, as Decimal; floats are refused before anything is sent; dates go
out and come back as datetime.date."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from bzl import _convert as cv
from scenario import A, USCC_A

BOOK = "E72012400007"
SMALLEST = Decimal("0.00001")
LARGEST = Decimal("9999999999999.99999")


@pytest.fixture(scope="module")
def book(start_daemon: Any) -> Any:
    d = start_daemon()
    with d.client() as c:
        c.register_enterprise(A, USCC_A, "Sunflower Oil Co.")
        c.open_book(BOOK, A)
        c.add_item(BOOK, "material", 1, "1206009000", "sunflower seed", "035")
        c.add_item(BOOK, "material", 2, "1206009000", "sunflower seed, bulk", "035")
    return d


def _import(ident: str, item: int, qty: Any, value: Any, day: Any = "2026-03-02") -> dict:
    return {
        "id": ident,
        "enterprise": A,
        "book": BOOK,
        "kind": "material",
        "direction": "in",
        "trade_mode": "0615",
        "date": day,
        "lines": [{"item": item, "qty": qty, "unit": "035", "value": value, "currency": "502"}],
    }


def test_the_smallest_and_largest_quantities_round_trip_exactly(book: Any) -> None:
    with book.client() as c:
        assert c.submit(_import("SMALL", 1, SMALLEST, SMALLEST, date(2026, 3, 2))).ok
        assert c.submit(_import("LARGE", 2, LARGEST, LARGEST)).ok
        small, large = c.balances(BOOK)
        assert (small.qty, small.value, small.available) == (SMALLEST, SMALLEST, SMALLEST)
        assert (large.qty, large.value, large.available) == (LARGEST, LARGEST, LARGEST)
        assert str(small.qty) == "0.00001" and str(large.qty) == "9999999999999.99999"
        # The declaration comes back as it went: Decimal and date values.
        decl = c.get_declaration("SMALL", A).declaration
        assert decl.lines[0].qty == SMALLEST and decl.date == date(2026, 3, 2)
        hist = list(c.history(BOOK, "material", 2))
        assert hist[0].balance == LARGEST
        # A balance may grow past what one line carries, and stays exact where a float
        # (float(LARGEST) == 1e13) could not.
        assert c.submit(_import("LARGE-2", 2, SMALLEST, "1")).ok
        (large,) = c.balances(BOOK, item=2)
        assert large.qty == LARGEST + SMALLEST == Decimal("10000000000000.00000")
        assert float(LARGEST) == 1e13


def test_floats_are_refused_before_anything_is_sent(book: Any) -> None:
    with book.client() as c:
        sent = c.requests_sent
        with pytest.raises(TypeError, match="not exact"):
            c.submit(_import("FLOAT", 1, 0.1, "1"))
        with pytest.raises(TypeError, match="not exact"):
            c.set_rate("2026-03", "502", 7.1)
        assert c.requests_sent == sent


def test_decimal_text_never_has_an_exponent() -> None:
    assert cv.decimal_text(Decimal("1E+3"), "q") == "1000"
    assert cv.decimal_text(Decimal("1E-5"), "q") == "0.00001"
    assert cv.decimal_text(Decimal("20000.50"), "q") == "20000.50"
    assert cv.decimal_text(12, "q") == "12" and cv.decimal_text("12.5", "q") == "12.5"
    for bad in (Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(ValueError):
            cv.decimal_text(bad, "q")
    with pytest.raises(TypeError):
        cv.decimal_text(True, "q")


def test_reply_decimals_and_dates() -> None:
    assert cv.decimal_value("-1.63934") == Decimal("-1.63934")
    assert cv.decimal_value("") is None and cv.decimal_value("n/a") is None
    assert cv.date_value("2026-01-31") == date(2026, 1, 31) and cv.date_value("") is None
    assert cv.date_text(date(2026, 1, 5), "d") == "2026-01-05"
    with pytest.raises(TypeError, match="datetime"):
        cv.date_text(datetime(2026, 1, 5, 12), "d")
    assert cv.month_text(date(2026, 3, 17), "m") == "2026-03"
    assert cv.period_text((date(2026, 1, 1), date(2026, 3, 31)), "p") == "2026-01-01..2026-03-31"


def test_a_declaration_of_the_wrong_shape_names_the_field() -> None:
    base = _import("X", 1, "1", "1")
    with pytest.raises(ValueError, match=r'declaration \(id X\): unknown field "colour"'):
        cv.declaration_pb({**base, "colour": "red"})
    with pytest.raises(ValueError, match='line 1: missing field "qty"'):
        cv.declaration_pb(
            {**base, "lines": [{k: v for k, v in base["lines"][0].items() if k != "qty"}]}
        )
    with pytest.raises(ValueError, match="'material' or 'product'|'material', 'product'"):
        cv.declaration_pb({**base, "kind": "materials"})
    with pytest.raises(ValueError, match="at least one line"):
        cv.declaration_pb({**base, "lines": []})
    with pytest.raises(ValueError, match=r"declaration 2 \(id X\)"):
        cv.declaration_pb({**base, "pending": True, "lines": base["lines"] * 0}, 1)


def test_table_cells_keep_codes_as_text_and_figures_as_decimals() -> None:
    from bzl import bzl_pb2 as pb

    t = pb.Table(columns=["book", "item", "name", "unit", "counted", "difference_rate", "flag"])
    t.rows.add(cells=["E72012400003", "1", "120", "120", "3950.5", "n/a", "within"])
    (row,) = cv.table([t]).rows
    assert row == {
        "book": "E72012400003",
        "item": 1,
        "name": "120",
        "unit": "120",
        "counted": Decimal("3950.5"),
        "difference_rate": None,
        "flag": "within",
    }
