"""Proves pipelining: 1,000 requests sent on one connection before their replies are read come
back in order into their futures (1,000 one-line declarations, then 1,000 balance reads), a
refusal stays in its own future, a future asked early reads up to itself, and a connection that
fails fails every outstanding future and is raised at the end of the block."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict

import pytest

import bzl
from bzl import bzl_pb2 as pb
from fake_daemon import FakeDaemon, frame
from scenario import A, USCC_A

BOOK = "E72012400005"


def _import(i: int) -> Dict[str, Any]:
    return {
        "id": f"PIPE-{i:04d}",
        "enterprise": A,
        "book": BOOK,
        "kind": "material",
        "direction": "in",
        "trade_mode": "0615",
        "date": "2026-03-02",
        "lines": [{"item": 1, "qty": "1.5", "unit": "035", "value": "2", "currency": "502"}],
    }


@pytest.fixture(scope="module")
def book(start_daemon: Any) -> Any:
    d = start_daemon()
    with d.client() as c:
        c.register_enterprise(A, USCC_A, "Sunflower Oil Co.")
        c.open_book(BOOK, A)
        c.add_item(BOOK, "material", 1, "1206009000", "sunflower seed", "035")
    return d


def test_a_thousand_pipelined_submissions_come_back_in_order(book: Any) -> None:
    with book.client(timeout=60) as c:
        with c.pipeline() as p:
            futs = [p.submit(_import(i)) for i in range(1000)]
            assert p.outstanding <= 128  # the window: the daemon never stops reading us
        results = [f.result() for f in futs]
        assert [r.id for r in results] == [f"PIPE-{i:04d}" for i in range(1000)]
        assert all(r.ok and not r.replayed for r in results)
        seqs = [r.seq for r in results]
        assert seqs == sorted(seqs) and len(set(seqs)) == 1000
        (bal,) = c.balances(BOOK, "material", 1)
        assert bal.qty == Decimal("1500") and bal.value == Decimal("2000")
        # 1000 × 2 USD: the one currency, as a CurrencyValue record
        assert [(v.currency, v.value) for v in bal.values] == [("502", Decimal("2000"))]


def test_a_thousand_pipelined_reads(book: Any) -> None:
    with book.client(timeout=60) as c:
        start = c.requests_sent
        with c.pipeline(window=1000) as p:
            futs = [p.balances(book=BOOK) for _ in range(1000)]
        assert c.requests_sent - start == 1000
        assert all(f.done() for f in futs)
        assert {f.result()[0].item for f in futs} == {1}


def test_a_refusal_stays_in_its_future(book: Any) -> None:
    with book.client() as c:
        with c.pipeline() as p:
            ok = p.get_book(BOOK)
            missing = p.get_book("E72012409999")
            after = p.get_enterprise(A)
        assert ok.result().book == BOOK
        assert isinstance(missing.exception(), bzl.NotFound)
        with pytest.raises(bzl.NotFound):
            missing.result()
        assert after.result().code == A


def test_a_future_asked_inside_the_block_reads_up_to_itself(book: Any) -> None:
    with book.client() as c:
        with c.pipeline() as p:
            first = p.get_enterprise(A)
            second = p.get_book(BOOK)
            assert first.result().code == A  # read now, not at the end of the block
            assert first.done()
            with pytest.raises(RuntimeError, match="pipeline is open"):
                c.stats()  # the stream belongs to the pipeline until the block ends
        assert second.result().book == BOOK
        assert c.stats().requests > 0  # and to the client again afterwards


def test_a_failed_connection_fails_every_outstanding_future() -> None:
    served = []

    def respond(req: pb.Request) -> Any:
        served.append(req.id)
        return frame(pb.Response(id=req.id, stats=pb.Stats())) if req.id < 3 else None

    f = FakeDaemon(respond)
    try:
        with bzl.Client(f.socket, timeout=10) as c:
            with pytest.raises(bzl.TransportError, match="closed"):
                with c.pipeline() as p:
                    futs = [p.stats() for _ in range(5)]
            assert futs[0].result().requests == 0 and futs[1].done()
            for fut in futs[2:]:
                assert isinstance(fut.exception(), bzl.TransportError)
    finally:
        f.close()


def test_a_pipeline_sends_only_inside_its_block(book: Any) -> None:
    with book.client() as c:
        p = c.pipeline()
        with pytest.raises(RuntimeError, match="with block"):
            p.stats()
        with p:
            f = p.stats()
        assert f.result().requests > 0
        with pytest.raises(RuntimeError, match="with block"):
            p.stats()  # nor after it
