"""Proves each Status maps to its own exception class: every Status in bzl.proto has a class
(a subclass of bzl.Error) and a reply carrying it raises that class with the daemon's message and
fault (line, field, item; available for INSUFFICIENT_BALANCE) — for every status through a fake
daemon, and for each status a real bzld can be made to answer on demand against a real one. A
connection-level refusal (reply id 0) raises its real status; client-side failures (a request
over the frame cap, a reply over it, a reply answering another request, a garbled reply, a lost
connection) are named and leave the client in a known state."""

from __future__ import annotations

import os
import socket
import struct
import time
from decimal import Decimal
from typing import Any, Callable, Dict, Iterator

import pytest

import bzl
from bzl import bzl_pb2 as pb
from fake_daemon import FakeDaemon, frame
from scenario import A, B, USCC_A, USCC_B

STATUSES = [v for v in pb.Status.DESCRIPTOR.values if v.number != pb.STATUS_OK]


# ---- the table ---------------------------------------------------------------------------


def test_every_status_has_its_own_class() -> None:
    names = [v.name[len("STATUS_") :] for v in STATUSES]
    missing = [n for n in names if n not in bzl.STATUS_CLASSES]
    assert not missing, f"statuses without an exception class in bzl/errors.py: {missing}"
    classes = [bzl.STATUS_CLASSES[n] for n in names]
    assert len(set(classes)) == len(classes), "two statuses share a class"
    for n, cls in zip(names, classes):
        assert issubclass(cls, bzl.Error) and cls is not bzl.Error and cls.STATUS == n
        assert getattr(bzl, cls.__name__) is cls, f"bzl.{cls.__name__} is not exported"
    assert not issubclass(bzl.TransportError, tuple(classes))
    assert issubclass(bzl.Timeout, bzl.TransportError) and issubclass(bzl.Timeout, TimeoutError)


# ---- every status through a fake daemon ---------------------------------------------------


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeDaemon]:
    """Answers get_enterprise(code=N) with status N and a fault naming line 3, field "qty",
    item 7 (and 12.5 available)."""

    def respond(req: pb.Request) -> bytes:
        n = int(req.get_enterprise.code)
        resp = pb.Response(id=req.id, status=n, message=f"status {n} as asked")
        resp.fault.line, resp.fault.field, resp.fault.item = 3, "qty", 7
        resp.fault.available = "12.5"
        return frame(resp)

    f = FakeDaemon(respond)
    yield f
    f.close()


@pytest.mark.parametrize("status", STATUSES, ids=lambda v: v.name)
def test_each_status_raises_its_class_with_the_fault(fake: FakeDaemon, status: Any) -> None:
    cls = bzl.STATUS_CLASSES[status.name[len("STATUS_") :]]
    with bzl.Client(fake.socket, timeout=10) as c:
        with pytest.raises(cls) as got:
            c.get_enterprise(str(status.number))
        e = got.value
        assert type(e) is cls
        assert (e.code, e.status, e.message) == (
            status.number,
            cls.STATUS,
            "status %d as asked" % status.number,
        )
        assert (e.line, e.field, e.item) == (3, "qty", 7)
        assert str(e) == f"{cls.STATUS}: status {status.number} as asked"
        if cls is bzl.InsufficientBalance:
            assert e.available == Decimal("12.5")
        # A refusal leaves the connection in step: the next request is answered.
        with pytest.raises(bzl.NotFound):
            c.get_enterprise(str(pb.STATUS_NOT_FOUND))


def test_a_status_this_client_does_not_know_raises_error(fake: FakeDaemon) -> None:
    with bzl.Client(fake.socket, timeout=10) as c:
        with pytest.raises(bzl.Error) as got:
            c.get_enterprise("999")
    assert type(got.value) is bzl.Error
    assert (got.value.code, got.value.status) == (999, "STATUS_999")


def test_a_refusal_in_a_batch_is_returned_not_raised() -> None:
    def respond(req: pb.Request) -> bytes:
        resp = pb.Response(id=req.id)
        ok = resp.batch.results.add(id="D1", seq=5)
        bad = resp.batch.results.add(
            id="D2", status=pb.STATUS_INSUFFICIENT_BALANCE, message="short"
        )
        bad.fault.item, bad.fault.line, bad.fault.available = 2, 1, "0.00001"
        del ok
        return frame(resp)

    f = FakeDaemon(respond)
    try:
        with bzl.Client(f.socket, timeout=10) as c:
            r1, r2 = c.submit_batch([_decl("D1"), _decl("D2")])
    finally:
        f.close()
    assert r1.ok and r1.seq == 5 and r1.error is None
    assert not r2.ok and r2.status == "INSUFFICIENT_BALANCE"
    assert isinstance(r2.error, bzl.InsufficientBalance)
    assert (r2.error.available, r2.error.item, r2.error.line) == (Decimal("0.00001"), 2, 1)


def test_id_zero_refuses_the_connection_with_its_real_status() -> None:
    refusal = pb.Response(id=0, status=pb.STATUS_LIMIT_EXCEEDED, message="too many connections")
    f = FakeDaemon(lambda req: None, greeting=frame(refusal))
    try:
        with bzl.Client(f.socket, timeout=10) as c:
            with pytest.raises(bzl.LimitExceeded, match="too many connections"):
                c.stats()
            with pytest.raises(bzl.TransportError, match="closed"):
                c.stats()
    finally:
        f.close()


# ---- transport failures -----------------------------------------------------------------


def test_a_reply_answering_another_request_closes_the_connection() -> None:
    f = FakeDaemon(lambda req: frame(pb.Response(id=req.id + 7)))
    try:
        with bzl.Client(f.socket, timeout=10) as c:
            with pytest.raises(bzl.TransportError, match="does not answer request id 1"):
                c.stats()
            with pytest.raises(bzl.TransportError):
                c.stats()
    finally:
        f.close()


def test_a_reply_over_the_frame_cap_is_refused_from_its_header() -> None:
    f = FakeDaemon(lambda req: struct.pack(">I", 4096 + 1))  # a header alone, no body
    try:
        with bzl.Client(f.socket, timeout=10, frame_bytes_max=4096) as c:
            with pytest.raises(bzl.FrameTooLarge, match="4097 bytes refused: the cap is 4096"):
                c.stats()
    finally:
        f.close()


def test_a_garbled_reply_is_malformed_and_the_stream_stays_in_step() -> None:
    def respond(req: pb.Request) -> bytes:
        if req.WhichOneof("body") == "verify":
            return struct.pack(">I", 3) + b"\xff\xff\xff"
        return frame(pb.Response(id=req.id, stats=pb.Stats(requests=42)))

    f = FakeDaemon(respond)
    try:
        with bzl.Client(f.socket, timeout=10) as c:
            with pytest.raises(bzl.Malformed):
                c.verify()
            assert c.stats().requests == 42
            # A reply carrying another result than the request's is garbled too.
            f._respond = lambda req: frame(pb.Response(id=req.id, stats=pb.Stats()))
            with pytest.raises(bzl.Malformed, match="result 'stats' where 'verify' was due"):
                c.verify()
    finally:
        f.close()


def test_a_daemon_closing_mid_reply_is_a_transport_error() -> None:
    f = FakeDaemon(lambda req: (struct.pack(">I", 100) + b"\x08", "close"))
    try:
        with bzl.Client(f.socket, timeout=10) as c:
            with pytest.raises(bzl.TransportError, match="in the middle of a response"):
                c.stats()
    finally:
        f.close()


def test_connecting_to_no_daemon_names_the_socket(tmp_path: Any) -> None:
    path = str(tmp_path / "nobody.sock")
    with pytest.raises(bzl.TransportError, match=f"connect {path}: .*is bzld running"):
        bzl.Client(path)


def test_the_default_socket_is_the_clis(monkeypatch: Any) -> None:
    monkeypatch.delenv("BZL_SOCKET", raising=False)
    assert bzl.default_socket() == "./bzl-data/bzld.sock"
    monkeypatch.setenv("BZL_SOCKET", "/run/bzl/bzld.sock")
    assert bzl.default_socket() == "/run/bzl/bzld.sock"
    monkeypatch.setenv("BZL_SOCKET", "")
    assert bzl.default_socket() == "./bzl-data/bzld.sock"


# ---- statuses a real bzld answers --------------------------------------------------------

EBOOK = "E72012400003"


def _decl(ident: str, **over: Any) -> Dict[str, Any]:
    d: Dict[str, Any] = {
        "id": ident,
        "enterprise": A,
        "book": EBOOK,
        "kind": "material",
        "direction": "in",
        "trade_mode": "0615",
        "date": "2026-02-02",
        "lines": [{"item": 1, "qty": "100", "unit": "035", "value": "10", "currency": "502"}],
    }
    lines = over.pop("lines", None)
    line = over.pop("line", None)
    d.update(over)
    if lines is not None:
        d["lines"] = lines
    if line is not None:
        d["lines"] = [{**d["lines"][0], **line}]
    return d


@pytest.fixture(scope="module")
def real(start_daemon: Callable[..., Any]) -> Any:
    """A bzld with an E-book of A (material 1 with 100 on hand, product 1 without a norm),
    January closed, and a posted import to conflict with."""
    d = start_daemon()
    with d.client() as c:
        c.register_enterprise(A, USCC_A, "Sunflower Oil Co.")
        c.register_enterprise(B, USCC_B, "Zone Electronics Co.")
        c.open_book(EBOOK, A)
        c.open_book("H72012400002", B)
        c.add_item(EBOOK, "material", 1, "1206009000", "sunflower seed", "035")
        c.add_item(EBOOK, "product", 1, "1512110000", "sunflower oil", "035", mode="OEM")
        c.submit(_decl("BASE"))
        c.submit(_decl("BASE-EUR", line={"currency": "300"}))  # no EUR rate: reports refuse
        c.close_period(EBOOK, "2026-01-31")
    return d


REAL_CASES: Dict[str, Callable[[bzl.Client], Any]] = {
    "INVALID_ARGUMENT": lambda c: next(iter(_paged_with_bad_token(c))),
    "NOT_FOUND": lambda c: c.get_enterprise("6209999999"),
    "ALREADY_EXISTS": lambda c: c.register_enterprise(A, USCC_A, "again"),
    "INSUFFICIENT_BALANCE": lambda c: c.submit(
        _decl("OUT-1", direction="out", trade_mode="0664", line={"qty": "100000"})
    ),
    "ID_REUSED": lambda c: c.submit(_decl("BASE", line={"qty": "101"})),
    "DECIMAL_SYNTAX": lambda c: c.submit(_decl("BAD-1", line={"qty": "1e5"})),
    "DECIMAL_RANGE": lambda c: c.submit(_decl("BAD-2", line={"qty": "10000000000000"})),
    "INVALID_CODE": lambda c: c.register_enterprise(
        "6201230009", "91620100MA71AB1C2X", "bad check character"
    ),
    "INVALID_DATE": lambda c: c.submit(_decl("BAD-3", date="2026-02-30")),
    "LIMIT_EXCEEDED": lambda c: c.submit_batch([_decl(f"L-{i}") for i in range(1001)]),
    "WRONG_BOOK": lambda c: c.submit(_decl("BAD-4", enterprise=B)),
    "DUPLICATE_LINE": lambda c: c.submit(_decl("BAD-5", lines=[_decl("x")["lines"][0]] * 2)),
    "PERIOD_CLOSED": lambda c: c.submit(_decl("BAD-6", date="2026-01-15")),
    "STATE_CONFLICT": lambda c: c.void("BASE", A),
    "FLOW_NOT_ALLOWED": lambda c: c.submit(_decl("BAD-7", trade_mode="0844", direction="in")),
    "NORM_MISSING": lambda c: c.submit(
        _decl("BAD-8", kind="product", direction="out", line={"qty": "1"})
    ),
    "SCRAP_ALLOWANCE_EXCEEDED": lambda c: c.submit(
        _decl("BAD-9", direction="out", trade_mode="0844", line={"qty": "1"})
    ),
    "RATE_MISSING": lambda c: c.report_var("2026-02"),
}


def _paged_with_bad_token(c: bzl.Client) -> Iterator[Any]:
    req = pb.Request()
    req.list_enterprises.page_token = "not a token bzld gave"
    return iter([c._unary(req, lambda resp: bzl.client._result(resp, "enterprises"))])


@pytest.mark.parametrize("status", sorted(REAL_CASES))
def test_a_real_refusal_raises_its_class(real: Any, status: str) -> None:
    with real.client() as c:
        with pytest.raises(bzl.STATUS_CLASSES[status]) as got:
            REAL_CASES[status](c)
        assert got.value.code == getattr(pb, "STATUS_" + status)
        assert got.value.message
        assert c.get_book(EBOOK).book == EBOOK  # the connection is still in step


def test_insufficient_balance_carries_available_and_the_item(real: Any) -> None:
    with real.client() as c:
        with pytest.raises(bzl.InsufficientBalance) as got:
            c.submit(_decl("OUT-2", direction="out", trade_mode="0664", line={"qty": "200.00001"}))
    e = got.value
    assert e.available == Decimal("200") and isinstance(e.available, Decimal)
    assert (e.item, e.line, e.field) == (1, 1, "qty")


def test_a_malformed_decimal_names_its_field_and_line(real: Any) -> None:
    with real.client() as c:
        with pytest.raises(bzl.DecimalSyntax) as got:
            c.submit(
                _decl(
                    "BAD-10",
                    lines=[
                        _decl("x")["lines"][0],
                        {**_decl("x")["lines"][0], "item": 2, "value": "1,5"},
                    ],
                )
            )
    assert (got.value.line, got.value.field) == (2, "value")


def test_an_atomic_batch_commits_nothing_when_one_is_refused(real: Any) -> None:
    # The 2nd of 3 takes 100000 kg out of material 1, which holds 100 (BASE): refused, and
    # with atomic the 1st and 3rd (fine alone) answer Aborted and nothing is committed.
    batch = [
        _decl("AT-1"),
        _decl("AT-2", direction="out", trade_mode="0664", line={"qty": "100000"}),
        _decl("AT-3"),
    ]
    with real.client() as c:
        before = c.stats().journal_entries
        r1, r2, r3 = c.submit_batch(batch, atomic=True)
        assert isinstance(r2.error, bzl.InsufficientBalance)
        assert isinstance(r1.error, bzl.Aborted) and isinstance(r3.error, bzl.Aborted)
        assert "declaration 2" in str(r1.error)
        assert c.stats().journal_entries == before
        # Without the refused one the atomic batch commits whole.
        ok = c.submit_batch([batch[0], batch[2]], atomic=True)
        assert all(r.ok for r in ok)
        assert c.stats().journal_entries == before + 2


def test_permission_denied_for_a_role_without_the_right(start_daemon: Callable[..., Any]) -> None:
    d = start_daemon(f"[access]\nimplicit_admin = no\nreconciler = uid:{os.getuid()}\n")
    with d.client() as c:
        assert c.stats().requests >= 0  # a reconciler may read the counters
        with pytest.raises(bzl.PermissionDenied):
            c.register_enterprise(A, USCC_A, "Sunflower Oil Co.")


@pytest.fixture(scope="module")
def tight(start_daemon: Callable[..., Any]) -> Any:
    """A bzld allowing one connection per uid and 4 KiB frames."""
    return start_daemon("[limits]\nconnections = 4\nconnections_per_uid = 1\nframe_bytes = 4096\n")


def _first_connection(d: Any) -> bzl.Client:
    """A connection the daemon kept: the readiness probe's may take a moment to be counted
    closed."""
    for _ in range(200):
        c = d.client(timeout=10)
        try:
            c.stats()
            return c
        except bzl.LimitExceeded:
            c.close()
            time.sleep(0.02)
    raise AssertionError("the daemon never freed the probe's connection")


def test_a_connection_over_the_cap_raises_limit_exceeded(tight: Any) -> None:
    first = _first_connection(tight)
    try:
        with tight.client(timeout=10) as second:
            with pytest.raises(bzl.LimitExceeded, match="uid"):
                second.stats()
        assert first.stats().connections_refused >= 1
    finally:
        first.close()


def test_a_frame_over_the_daemons_cap_raises_frame_too_large(tight: Any) -> None:
    c = _first_connection(tight)
    try:
        with pytest.raises(bzl.FrameTooLarge, match="4096"):
            c.register_enterprise(A, USCC_A, "x" * 5000)  # 5 KB: under the client's cap
        with pytest.raises(bzl.TransportError):
            c.stats()  # the daemon closed the connection after saying why
    finally:
        c.close()


def test_a_request_over_the_clients_cap_is_not_sent(real: Any) -> None:
    with real.client(frame_bytes_max=4096) as c:
        sent = c.requests_sent
        with pytest.raises(bzl.FrameTooLarge, match="nothing was sent"):
            c.register_enterprise(A, USCC_A, "x" * 5000)
        assert c.requests_sent == sent
        assert c.get_enterprise(A).code == A  # the connection is untouched


def test_a_malformed_request_is_refused_with_id_zero(real: Any) -> None:
    """A raw frame that is not a Request: bzld answers MALFORMED with id 0 (proving what the
    client's id-0 rule relies on)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(real.socket)
    s.sendall(struct.pack(">I", 3) + b"\xff\xff\xff")
    head = s.recv(4)
    (n,) = struct.unpack(">I", head)
    body = b""
    while len(body) < n:
        body += s.recv(n - len(body))
    s.close()
    resp = pb.Response.FromString(body)
    assert (resp.id, resp.status) == (0, pb.STATUS_MALFORMED)
