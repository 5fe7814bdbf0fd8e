#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/), hand-encoding protobuf so
that no protobuf package is needed. Run again after changing a seed; the files are committed."""
import os

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)

def field(num, wire, payload):
    key = varint((num << 3) | wire)
    if wire == 0:
        return key + varint(payload)
    if isinstance(payload, str):
        payload = payload.encode()
    return key + varint(len(payload)) + payload

def msg(*fields):
    return b"".join(fields)

def line(item=1, qty="20000", value="50000.00", unit="035", currency="502", **kw):
    f = [field(1, 0, item), field(2, 2, qty), field(3, 2, unit), field(4, 2, value),
         field(5, 2, currency)]
    if "usd" in kw:
        f.append(field(6, 2, kw["usd"]))
    return msg(*f)

def decl(id="ACME-1", ent="6201230001", book="H72012400001", kind=1, direction=1,
         trade="5015", date="2026-03-01", lines=None):
    lines = lines if lines is not None else [line()]
    f = [field(1, 2, id), field(2, 2, ent), field(3, 2, book), field(4, 0, kind),
         field(5, 0, direction), field(6, 2, trade), field(7, 2, date)]
    f += [field(11, 2, l) for l in lines]
    return msg(*f)

def request(body_field, body, rid=1):
    return msg(field(1, 0, rid), field(body_field, 2, body))

seeds = {
    "submit_import": request(17, msg(field(1, 2, decl()))),
    "submit_export": request(17, msg(field(1, 2, decl(id="ACME-2", direction=2)))),
    "submit_two_lines": request(17, msg(field(1, 2, decl(id="ACME-3", lines=[line(), line(item=2)])))),
    "submit_usd": request(17, msg(field(1, 2, decl(id="ACME-4", lines=[line(usd="7000.5")])))),
    "submit_product": request(17, msg(field(1, 2, decl(id="ACME-5", kind=2)))),
    "batch": request(18, msg(field(1, 2, decl(id="B-1")), field(1, 2, decl(id="B-2", direction=2)))),
    "bad_decimal": request(17, msg(field(1, 2, decl(id="ACME-6", lines=[line(qty="1e5")])))),
    "register": request(10, msg(field(1, 2, msg(field(1, 2, "6201230002"),
                                                 field(2, 2, "91620100MA72CD3E4K"),
                                                 field(3, 2, "Zone Co."))))),
    "balances": request(19, msg(field(1, 2, "H72012400001"), field(2, 0, 1))),
    "stats": request(20, b""),
    "verify": request(80, b""),
    "audit": request(81, msg(field(3, 0, 1), field(7, 0, 10))),
    # Listings with page tokens (bzl.proto's Paging; daemon/wire.h's token forms).
    "balances_page": request(19, msg(field(1, 2, "H72012400001"), field(4, 0, 2),
                                     field(5, 2, "b:4294967297"))),
    "history_page": request(37, msg(field(1, 2, "H72012400001"), field(2, 0, 1), field(3, 0, 1),
                                    field(6, 0, 5), field(7, 2, "h:12"))),
    "scrap_page": request(40, msg(field(1, 2, "H72012400001"), field(4, 2, "s:1"))),
    "norms_page": request(31, msg(field(1, 2, "H72012400001"), field(4, 2, "n:4096"))),
    "stocktake": request(60, msg(field(1, 2, "H72012400001"), field(2, 2, "2026-03-31"),
                                 field(3, 2, msg(field(1, 0, 1), field(2, 0, 1),
                                                 field(3, 2, "12.5"))))),
    "unknown_field": msg(field(1, 0, 1), field(77, 2, b"")),
}

here = os.path.dirname(os.path.abspath(__file__))
for target in ("fuzz_request", "fuzz_frame"):
    os.makedirs(os.path.join(here, "corpus", target), exist_ok=True)
for name, body in seeds.items():
    with open(os.path.join(here, "corpus", "fuzz_request", name), "wb") as f:
        f.write(body)
    # fuzz_frame: a chunking byte, then the frame, then a second frame.
    framed = len(body).to_bytes(4, "big") + body
    with open(os.path.join(here, "corpus", "fuzz_frame", name), "wb") as f:
        f.write(bytes([3]) + framed + framed)
extra = {"empty_frame": b"\x01\x00\x00\x00\x00", "huge_frame": b"\x02\x7f\xff\xff\xff",
         "truncated": b"\x05\x00\x00\x01\x00abc", "cap_frame": b"\x10\x00\x00\x10\x00" + b"x" * 4096}
for name, data in extra.items():
    with open(os.path.join(here, "corpus", "fuzz_frame", name), "wb") as f:
        f.write(data)
