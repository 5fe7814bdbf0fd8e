"""Proves every request kind of proto/bzl.proto has one Client method, and that each was sent
once to a real bzld and answered OK with the values the ledger must hold (exact Decimals, dates,
words), through the scenario in scenario.py."""

from __future__ import annotations

import dataclasses
import os
import time
from datetime import date
from decimal import Decimal

import pytest

import bzl
import scenario
from bzl import bzl_pb2 as pb


def _body_fields():  # type: ignore[no-untyped-def]
    return pb.Request.DESCRIPTOR.oneofs_by_name["body"].fields


def test_every_request_kind_has_a_method_on_client_and_pipeline() -> None:
    proto_kinds = {f.name for f in _body_fields()}
    unknown = set(bzl.METHODS) - proto_kinds
    assert not unknown, f"methods for kinds bzl.proto does not have: {sorted(unknown)}"
    for kind, method in bzl.METHODS.items():
        assert callable(getattr(bzl.Client, method)), kind
        assert callable(getattr(bzl.Pipeline, method)), kind
    missing = sorted(proto_kinds - set(bzl.METHODS))
    # A kind added to the proto needs its method in clients/python/bzl/client.py (and a row in
    # METHODS), as it needs its row in daemon/requests.c.
    assert not missing, f"request kinds without a Python method: {', '.join(missing)}"


def test_every_request_kind_was_answered_ok(client: bzl.Client, ledger: scenario.Ledger) -> None:
    stats = client.stats()
    ok_kinds = {r.kind for r in stats.requests_by_kind if r.status == "OK" and r.count > 0}
    ok_kinds.add(pb.Request.STATS_FIELD_NUMBER)  # this very request is counted after its reply
    wanted = {f.number: f.name for f in _body_fields() if f.name in bzl.METHODS}
    never = sorted(name for number, name in wanted.items() if number not in ok_kinds)
    assert not never, f"request kinds the scenario never had answered OK: {never}"


def test_records_come_back_as_registered(ledger: scenario.Ledger) -> None:
    a = ledger.answers
    want = bzl.Enterprise(
        code=scenario.A, uscc=scenario.USCC_A, name="Sunflower Oil Co.", area="core bonded zone"
    )
    assert a["register_enterprise"] == want
    assert a["get_enterprise"] == want
    assert [e.code for e in a["list_enterprises"]] == [scenario.A, scenario.B]
    assert a["open_book"].verify_mode == "unit" and a["open_book"].status == "open"
    assert a["get_book"].enterprise == scenario.A and a["get_book"].closed_through is None
    assert [(b.book, b.closed_through) for b in a["list_books"]] == [
        (scenario.BOOK, date(2026, 1, 31)),
        (scenario.BOOK_B, None),
        (scenario.REPAIR, None),
    ]
    assert [(i.kind, i.item) for i in a["list_items"]] == [
        ("material", 1),
        ("material", 2),
        ("product", 1),
    ]
    assert a["add_item"].kind == "material" and a["add_item"].mode is None
    assert (a["get_item"].kind, a["get_item"].item, a["get_item"].mode) == ("product", 1, "OEM")


def test_declarations_and_two_phase_actions(ledger: scenario.Ledger) -> None:
    a = ledger.answers
    assert a["submit"].ok and a["submit"].seq > 0 and not a["submit"].replayed
    # The unchanged P1 replays: its own sequence, nothing written.
    assert a["replace_declaration"].ok and a["replace_declaration"].replayed
    assert [r.id for r in a["submit_batch"]] == ["D2", "D3", "T1", "T2", "P1", "P2", "P3", "R1"]
    assert all(r.ok and r.error is None for r in a["submit_batch"])
    assert a["post_declaration"].state == "posted"
    assert a["void_declaration"].state == "voided"
    assert a["reject_declaration"].state == "rejected"
    assert a["reverse_declaration"].state == "reversed"
    queue = a["list_declarations"]
    assert [d.id for d in queue] == [
        "D1", "D2", "D3", "T1", "T2", "P1", "P2", "P3", "R1", "RP1", "RP2"
    ]
    states = {d.id: d.state for d in queue}
    assert (states["P1"], states["P2"], states["P3"], states["R1"]) == (
        "posted",
        "voided",
        "rejected",
        "reversed",
    )
    d3 = queue[2]
    assert (d3.kind, d3.direction, d3.lines, d3.date) == ("product", "out", 1, date(2026, 1, 20))
    assert d3.submitted.tzinfo is not None
    info = a["get_declaration"]
    assert (info.state, info.flow) == ("posted", "product export")
    # The declaration comes back in the shape it was submitted in, so it round-trips.
    assert info.declaration.to_dict() == scenario.decl(
        "D3", "product", "out", "0615", "2026-01-20", 1, "300", "2400"
    )
    assert info.declaration.date == date(2026, 1, 20)
    effects = {(e.kind, e.item, e.category): e for e in info.entries[0].effects}
    assert effects[("material", 1, "consumption")].qty == Decimal("-300")
    assert effects[("material", 1, "consumption")].scrap_generated == Decimal("15")


def test_balances_are_exact(ledger: scenario.Ledger) -> None:
    # material 1: 1000 − 300 (consumed by the export, 单耗 1) + 10 + 20 (transfers) + 5 (P1
    # posted) + 8 − 8 (R1 reversed) = 735; value 3000 − 900 + 30 + 60 + 1 + 1 − 1 = 2191.
    # material 2: 500 − 300 × 0.2 = 440.
    rows = {(b.kind, b.item): b for b in ledger.answers["balances"]}
    assert rows[("material", 1)].qty == Decimal("735")
    assert rows[("material", 1)].value == Decimal("2191")
    assert rows[("material", 2)].available == Decimal("440")
    assert rows[("product", 1)].qty == Decimal("0")
    m1 = rows[("material", 1)]
    assert all(isinstance(v, Decimal) for v in dataclasses.astuple(m1)[3:-1])
    # every line of the scenario is in USD (502): the value is that currency's, labelled
    assert [(v.currency, v.value) for v in m1.values] == [("502", Decimal("2191"))]


def test_norms_history_transfers_scrap(ledger: scenario.Ledger) -> None:
    a = ledger.answers
    assert a["set_norm"].norm.unit_consumption == Decimal("1.000000000")
    assert [n.unit_consumption for n in a["list_norms"]] == [
        Decimal("1.000000000"),
        Decimal("0.200000000"),
    ]
    assert all(n.used for n in a["list_norms"])
    assert a["list_norms"][1].valid_from == date(2026, 1, 1)
    hist = a["history"]
    assert hist[-1].entry == "reverse" and hist[-1].balance == Decimal("735")
    assert [h.id for h in hist if h.entry == "post"] == ["P1"]
    assert {t.id for t in a["unmatched_transfers"]} == {"T1", "T2"}
    assert [(s.item, s.generated) for s in a["scrap"]] == [(1, Decimal("15")), (2, Decimal("3"))]
    assert a["set_item_mode"].mode_events == [bzl.ModeEvent(from_date=date(2026, 2, 1), mode="ODM")]
    assert a["close_period"].seq > 0


def test_verification_reports_and_rates(ledger: scenario.Ledger) -> None:
    a = ledger.answers
    st = a["stocktake"]
    assert st.rows[0]["counted"] == Decimal("710") and st.rows[0]["item"] == 1
    rec = a["reconcile"]
    assert rec.journal_reads == 0
    row = next(r for r in rec.rows if r["item"] == 1)
    assert row["book"] == scenario.BOOK and row["counted"] == Decimal("710")
    assert row["book_balance"] == Decimal("735")
    assert row["difference"] == Decimal("-25")
    assert a["set_rate"] is True and a["record_trade"] is True
    assert [(r.month, r.currency, r.cny) for r in a["list_rates"]] == [
        ("2026-01", "300", Decimal("7.8")),
        ("2026-01", "502", Decimal("7.1")),
    ]
    var = a["report"]
    assert var.columns[:3] == ["group", "exports_usd", "imports_usd"]
    assert var.rows and all(isinstance(r["exports_usd"], Decimal) for r in var.rows)
    assert a["report_modes"].columns[0] == "bucket"
    assert a["report_upgrades"].columns[0] == "section"
    share = a["report_share"].rows[-1]
    assert share["month"] == "total" and isinstance(share["share_pct"], Decimal)


def test_receipts(client: bzl.Client, ledger: scenario.Ledger) -> None:
    """An import receipt moves P1 from SUBMITTED to ACCEPTED_BY_DC without touching the ledger
    (P1 stays posted); sent again it is replayed; no INV211 came, so no book line differs; an
    unknown list is NotFound; get_declaration shows the back-fills as sent."""
    r = ledger.answers["apply_receipt"]
    assert (r.id, r.previous, r.state, r.ledger_state, r.replayed, r.ledger_seq) == (
        "P1", "SUBMITTED", "ACCEPTED_BY_DC", "posted", False, 0
    )
    again = client.apply_receipt(
        "IMPORT", "0", enterprise=scenario.A, id="P1", seq_no="202600000000000001",
        fields=[(0, 0, "SeqNo", "202600000000000001"), (0, 0, "DealFlag", "0")],
    )
    assert again.replayed and again.seq == r.seq
    assert ledger.answers["receipt_diff"] == []
    with pytest.raises(bzl.NotFound):
        client.apply_receipt("IMPORT", "0", enterprise=scenario.A, id="NO-SUCH-LIST")
    info = client.get_declaration("P1", scenario.A)
    assert info.customs_state == "ACCEPTED_BY_DC" and info.receipt_count == 1
    assert [(f.name, f.value) for f in info.back_fills] == [
        ("DealFlag", "0"), ("SeqNo", "202600000000000001")
    ]


def test_verify_audit_backup_stats(ledger: scenario.Ledger) -> None:
    a = ledger.answers
    v = a["verify"]
    assert v.ok and v.first_bad_seq == 0 and len(v.head_hash) == 32
    assert [e.seq for e in a["audit"]] == list(range(1, v.entries + 1))
    assert a["audit"][0].role == "admin" and a["audit"][0].type == "enterprise"
    assert a["audit"][0].time.tzinfo is not None
    assert (
        a["backup"].path == ledger.backup_path
        and os.path.getsize(ledger.backup_path) == a["backup"].bytes
    )
    assert a["backup"].journal_entries == v.entries
    assert a["stats"].journal_entries == v.entries and a["stats"].requests > 0
    cp = a["checkpoint"]
    assert (cp.seq, cp.hash) == (v.head_seq, v.head_hash) and cp.time.tzinfo is not None
    assert len(cp.public_key) == 32 and len(cp.signature) == 64


def test_journal_stream_is_whole_and_chained(client: bzl.Client, ledger: scenario.Ledger) -> None:
    """The journal stream holds verify's entries in order, each chained to the one before, the
    last hash being verify's head; a reversal names its declaration's entry."""
    a = ledger.answers
    v, j = a["verify"], a["journal"]
    assert [e.seq for e in j] == list(range(1, v.entries + 1))
    assert j[0].prev_hash == bytes(32)
    assert all(j[i].prev_hash == j[i - 1].hash for i in range(1, len(j)))
    assert j[-1].hash == v.head_hash
    (rev,) = [e for e in j if e.type == "reverse"]
    (decl,) = [e for e in j if e.type == "declaration" and e.declaration.id == "R1"]
    assert rev.ref_seq == decl.seq and rev.reason == "goods never arrived"
    assert [e.qty for e in rev.effects] == [-e.qty for e in decl.effects]
    assert list(client.journal(v.entries)) == []
    with pytest.raises(bzl.NotFound):
        list(client.journal(v.entries + 10))


def test_journal_pages_tokens_and_waits(client: bzl.Client, ledger: scenario.Ledger) -> None:
    """The stream pages by token one entry at a time to the same entries; a token it did not
    give, or one from before after_seq, is refused naming page_token; a wait at the head comes
    back empty after about wait_ms, not at once and not never."""
    whole = list(client.journal())
    assert [e.seq for e in client.journal(0, page_size=1)] == [e.seq for e in whole]
    assert [e.hash for e in client.journal(5, page_size=2)] == [e.hash for e in whole[5:]]
    for token, after in (("a:3", 0), ("j:x", 0), ("j:2", 5), ("garbage", 0)):
        req = pb.Request()
        req.journal.after_seq = after
        req.journal.page_token = token
        with pytest.raises(bzl.InvalidArgument, match="page_token"):
            client._unary(req, lambda resp: bzl.client._result(resp, "journal"))
    head = whole[-1].seq
    req = pb.Request()
    req.journal.after_seq = head
    req.journal.wait_ms = 300
    t0 = time.monotonic()
    page = client._unary(req, lambda resp: bzl.client._result(resp, "journal"))
    waited = time.monotonic() - t0
    assert len(page.entries) == 0 and page.head_seq == head and page.after_hash == whole[-1].hash
    assert 0.25 <= waited < 10, waited
    assert client.get_book(scenario.BOOK).book == scenario.BOOK  # the connection is in step


def test_resubmitting_replays(client: bzl.Client, ledger: scenario.Ledger) -> None:
    again = client.submit(
        scenario.decl("D1", "material", "in", "0615", "2026-01-05", 1, "1000", "3000")
    )
    assert again.replayed and again.seq == ledger.answers["submit"].seq


def test_a_declaration_dataclass_submits_like_its_dict(
    client: bzl.Client, ledger: scenario.Ledger
) -> None:
    info = client.get_declaration("D2", scenario.A)
    again = client.submit(info.declaration)  # the dataclass itself: the same content replays
    assert again.replayed


def test_declaration_and_audit_filters(client: bzl.Client, ledger: scenario.Ledger) -> None:
    assert [d.id for d in client.declarations(state="voided")] == ["P2"]
    assert [d.id for d in client.declarations(trade_mode="0654")] == ["T1", "T2"]
    assert [
        d.id for d in client.declarations(from_date=date(2026, 1, 12), to_date="2026-01-13")
    ] == [
        "P3",
        "R1",
    ]
    assert [d.id for d in client.declarations(book=scenario.BOOK_B)] == []
    assert [e.summary for e in client.audit(action="reverse")] == [
        "reverse R1 of 6201230001 book E72012400003: goods never arrived"
    ]
    assert {e.type for e in client.audit(book=scenario.BOOK_B)} == {"book", "item"}
    with pytest.raises(ValueError, match="'posted'"):
        client.declarations(state="approved")


def test_repair_book_work_orders_and_overdue_parts(ledger: scenario.Ledger) -> None:
    """The scenario's repair book: work order 1 opened for the one unit from abroad, completed
    repaired with one servo board whose old one is the lot overdue on 2026-12-31 (generated
    2026-01-07, the default 90-day disposal period: due 2026-04-07, never disposed of)."""
    a = ledger.answers
    opened = a["open_workorder"].raw_rows
    assert opened == [[scenario.REPAIR, "1", "1", "abroad", "open", "2026-01-06", "", "", ""]]
    done = a["complete_workorder"].raw_rows
    assert done == [
        [scenario.REPAIR, "1", "1", "abroad", "repaired", "2026-01-06", "2026-01-07", "1=1", "1=1"]
    ]
    assert a["list_workorders"].raw_rows == done
    assert a["repair_overdue"].raw_rows == [
        [scenario.REPAIR, "1", "abroad", "1", "2026-01-07", "1", "1", "2026-04-07", "past due"]
    ]


def test_transfer_deliveries_against_declarations(ledger: scenario.Ledger) -> None:
    """The scenario's imports T1 (10) and T2 (20) of material 1 from E72012400099, posted, against
    one delivery of 12 on 2026-02-06: 30 declared, 12 delivered, 18 declared-not-delivered and
    nothing left undeclared to age."""
    a = ledger.answers
    assert a["record_delivery"].raw_rows[0][:6] == [
        scenario.BOOK, "E72012400099", "material", "1", "12", "2026-02-06"
    ]
    assert a["transfers_report"].raw_rows == [
        [scenario.BOOK, "E72012400099", "material", "1", "12", "30", "0", "18", "", "", "0", ""]
    ]
