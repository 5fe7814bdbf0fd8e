"""A small ledger built through the Python client, touching every request kind: the suite's
shared fixture data (tests/test_requests.py), with two or more rows in every listing so each
can be paged across a boundary with page_size 1 (tests/test_paging.py).

Two enterprises; an E-book (unit consumption) of A with materials 1 and 2 and product 1 whose
norm consumes both with tangible loss (so an export generates scrap allowance for both); an
H-book of B; January 2026 movements, two unmatched deep-processing transfers, the two-phase
paths (post, void, reject) and a reversal; a stocktake, rates, general trade, a mode upgrade
and a period close through 2026-01-31.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Dict, List

import bzl

A, B = "6201230001", "6201230002"
USCC_A, USCC_B = "91620100MA71AB1C2F", "91620100MA72CD3E4K"
BOOK, BOOK_B = "E72012400003", "H72012400002"
REPAIR = "H72012400005"  # a bonded repair book of A


def decl(
    ident: str,
    kind: str,
    direction: str,
    mode: str,
    day: str,
    item: int,
    qty: str,
    value: str = "1",
    **extra: Any,
) -> Dict[str, Any]:
    """One declaration of one line on BOOK, in the CLI's JSON file shape."""
    unit = "035" if (kind, item) != ("material", 2) else "007"
    d: Dict[str, Any] = {
        "id": ident,
        "enterprise": A,
        "book": BOOK,
        "kind": kind,
        "direction": direction,
        "trade_mode": mode,
        "date": day,
        "lines": [{"item": item, "qty": qty, "unit": unit, "value": value, "currency": "502"}],
    }
    d.update(extra)
    return d


@dataclass
class Ledger:
    """What the scenario made, and what each step answered (for the tests to check)."""

    answers: Dict[str, Any] = field(default_factory=dict)
    backup_path: str = ""
    kinds_sent: List[str] = field(default_factory=list)


def build(c: bzl.Client, scratch: str) -> Ledger:
    led = Ledger()
    ans = led.answers
    ans["register_enterprise"] = c.register_enterprise(
        A, USCC_A, "Sunflower Oil Co.", area="core bonded zone"
    )
    c.register_enterprise(B, USCC_B, "Zone Electronics Co.", area="airport area")
    ans["get_enterprise"] = c.get_enterprise(A)
    ans["open_book"] = c.open_book(BOOK, A, verify_mode="unit")
    c.open_book(BOOK_B, B)
    ans["get_book"] = c.get_book(BOOK)
    ans["add_item"] = c.add_item(BOOK, "material", 1, "1206009000", "sunflower seed", "035")
    c.add_item(BOOK, "material", 2, "3923300000", "PET bottle preform", "007")
    c.add_item(BOOK, "product", 1, "1512110000", "sunflower oil", "035", mode="OEM")
    c.add_item(BOOK_B, "material", 1, "8542319000", "integrated circuit", "007")
    ans["get_item"] = c.get_item(BOOK, "product", 1)
    # 单耗 = 0.9 / (1 − 0.10) = 1 of material 1 and 0.18 / 0.9 = 0.2 of material 2.
    ans["set_norm"] = c.set_norm(BOOK, 1, 1, "1", Decimal("0.9"), "5", "5")
    c.set_norm(BOOK, 1, 2, "1", "0.18", "5", "5", valid_from=date(2026, 1, 1))
    ans["set_rate"] = c.set_rate("2026-01", "502", "7.1")
    c.set_rate(date(2026, 1, 1), "300", Decimal("7.8"))  # EUR: two rates to page over
    ans["record_trade"] = c.record_trade("2026-01", "502", "100000", "50000")

    ans["submit"] = c.submit(decl("D1", "material", "in", "0615", "2026-01-05", 1, "1000", "3000"))
    ans["submit_batch"] = c.submit_batch(
        [
            decl("D2", "material", "in", "0615", "2026-01-06", 2, "500", "500"),
            decl("D3", "product", "out", "0615", "2026-01-20", 1, "300", "2400"),
            decl(
                "T1",
                "material",
                "in",
                "0654",
                "2026-01-07",
                1,
                "10",
                "30",
                related_book="E72012400099",
                related_id="X-OUT-1",
            ),
            decl(
                "T2",
                "material",
                "in",
                "0654",
                "2026-01-08",
                1,
                "20",
                "60",
                related_book="E72012400099",
                related_id="X-OUT-2",
            ),
            decl("P1", "material", "in", "0615", "2026-01-10", 1, "5", pending=True),
            decl("P2", "material", "in", "0615", "2026-01-11", 1, "6", pending=True),
            decl("P3", "material", "in", "0615", "2026-01-12", 1, "7", pending=True),
            decl("R1", "material", "in", "0615", "2026-01-13", 1, "8"),
        ]
    )
    # P1 again, unchanged: a change with the same content replays and writes nothing.
    ans["replace_declaration"] = c.replace_declaration(
        decl("P1", "material", "in", "0615", "2026-01-10", 1, "5", pending=True),
        reason="INV101 变更申请, nothing changed",
    )
    ans["post_declaration"] = c.post("P1", A)
    ans["void_declaration"] = c.void("P2", A, reason="entered twice")
    ans["reject_declaration"] = c.reject("P3", A, reason="wrong trade mode")
    ans["reverse_declaration"] = c.reverse("R1", A, reason="goods never arrived")
    # Customs' import receipt for P1 (posted by the officer above): recorded, nothing moves.
    ans["apply_receipt"] = c.apply_receipt(
        "IMPORT", "0", enterprise=A, id="P1", seq_no="202600000000000001",
        fields=[(0, 0, "SeqNo", "202600000000000001"), (0, 0, "DealFlag", "0")],
    )
    ans["receipt_diff"] = list(c.receipt_diff())
    ans["get_declaration"] = c.get_declaration("D3", A)
    ans["stocktake"] = c.stocktake(
        BOOK,
        date(2026, 1, 31),
        [
            {"kind": "material", "item": 1, "qty": "700"},
            {"kind": "product", "item": 1, "qty": "10", "bom_version": "1"},
        ],
    )
    ans["set_item_mode"] = c.set_item_mode(BOOK, 1, "ODM", from_date=date(2026, 2, 1))
    ans["close_period"] = c.close_period(BOOK, date(2026, 1, 31))

    # A repair book: one unit from abroad, repaired with a servo board, its old one re-exported.
    c.open_book(REPAIR, A, usage="repair")
    c.add_item(REPAIR, "product", 1, "8537101190", "CNC controller", "001")
    c.add_item(REPAIR, "material", 1, "8538900000", "servo board", "007")
    for ident, kind, item, qty, unit in (("RP1", "product", 1, "1", "001"),
                                         ("RP2", "material", 1, "2", "007")):
        c.submit(dict(decl(ident, kind, "in", "1371", "2026-01-05", item, qty), book=REPAIR,
                      origin="abroad",
                      lines=[{"item": item, "qty": qty, "unit": unit, "value": "1",
                              "currency": "502"}]))
    ans["open_workorder"] = c.open_workorder(REPAIR, 1, "abroad", date(2026, 1, 6))
    ans["complete_workorder"] = c.complete_workorder(
        REPAIR, 1, date(2026, 1, 7), materials={1: "1"}, parts={1: "1"}
    )
    ans["list_workorders"] = c.workorders(REPAIR)
    ans["repair_overdue"] = c.repair_overdue(as_of=date(2026, 12, 31))
    # The import T1 (10 of material 1 from E72012400099) was delivered in one batch of 12.
    ans["record_delivery"] = c.record_delivery(
        BOOK, "E72012400099", "material", 1, "12", date(2026, 2, 6)
    )
    ans["transfers_report"] = c.transfers_report("E72012400099", as_of=date(2026, 4, 30))

    ans["list_enterprises"] = list(c.enterprises())
    ans["list_books"] = list(c.books())
    ans["list_items"] = list(c.items(BOOK))
    ans["list_declarations"] = list(c.declarations())
    ans["balances"] = list(c.balances(BOOK))
    ans["list_norms"] = list(c.norms(BOOK))
    ans["history"] = list(c.history(BOOK, "material", 1))
    ans["unmatched_transfers"] = list(c.unmatched_transfers())
    ans["scrap"] = list(c.scrap(BOOK))
    ans["list_rates"] = list(c.rates())
    ans["reconcile"] = c.reconcile("2026-01", book=BOOK)
    ans["report"] = c.report_var("2026-01", by="enterprise")
    ans["report_modes"] = c.report_modes("2026-Q1", granularity="month")
    ans["report_upgrades"] = c.report_upgrades("2026-01", "2026-02")
    ans["report_share"] = c.report_share("2026-01")
    # Domestic-sale tax: a material sold at home after the January close, assessed when posted
    # (docs/TAX.md); before verify, so that verify, audit and the journal see its entries.
    ans["set_tariff"] = c.set_tariff("1206009000", date(2026, 1, 1), "9", vat="9")
    ans["list_tariffs"] = c.tariffs()
    ans["set_interest_rate"] = c.set_interest_rate(date(2026, 2, 1), "0.35")
    ans["list_interest_rates"] = c.interest_rates()
    c.set_rate("2026-02", "502", "7")
    c.submit(decl("S1", "material", "out", "0644", "2026-02-10", 1, "10", "40"))
    ans["tax_show"] = c.tax_show(A, "S1")
    ans["tax_compare"] = c.tax_compare(A, "S1")
    # The same sale unsent: the same figures, nothing stored.
    ans["tax_quote"] = c.tax_quote(decl("Q1", "material", "out", "0644", "2026-02-10", 1, "10", "40"))
    assert ans["tax_quote"].rows == ans["tax_compare"].rows
    ans["tax_report"] = c.report_tax("2026-02")
    ans["list_lots"] = c.lots(BOOK, "material", 1, as_of=date(2026, 3, 1))
    # The book was closed through 2026-01-31 before its February lots moved: refused.
    try:
        c.set_lot_method(BOOK, "AVERAGE")
    except bzl.StateConflict:
        pass
    ans["set_lot_method"] = c.set_lot_method(BOOK, "FIFO")  # its method already: unchanged
    ans["verify"] = c.verify()
    ans["audit"] = list(c.audit())
    ans["journal"] = list(c.journal())
    ans["checkpoint"] = c.checkpoint()
    led.backup_path = f"{scratch}/ledger-copy.mdb"
    ans["backup"] = c.backup(led.backup_path)
    ans["stats"] = c.stats()
    return led
