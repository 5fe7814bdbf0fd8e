#!/usr/bin/env python3
"""inv101_same.py A.xml B.xml — exits 0 when the two INV101 files hold the same list: the same
DelcareFlag, the same InvtMessage fields (SysId, OperCusRegCode), the same header fields with the
same values and the same lines in the same order, each with the same fields and values. Element
order inside the header and inside a line does not matter (the message does not fix it for a
reader), and neither do the envelope (each sending has its own), an xmldsig Signature around the
Package, namespaces or empty elements (absent). Decimal fields compare by value (12000.50 equals
12000.5); every other value compares as text ("007" is not "7"). Prints each difference."""
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation

DECIMALS = {"DclQty", "LawfQty", "SecdLawfQty", "DclUprcAmt", "DclTotalAmt", "UsdStatTotalAmt",
            "WtSfVal", "FstSfVal", "SecdSfVal", "GrossWt", "NetWt", "LevyBlAmt", "ActlPassQty",
            "PassportUsedQty"}


def local(tag):
    return tag.rsplit("}", 1)[-1]


def find(node, name):
    for c in node:
        if local(c.tag) == name:
            return c
    return None


def fields(node, skip=()):
    out = {}
    for c in node:
        name = local(c.tag)
        if name in skip or len(c) > 0:
            continue
        text = (c.text or "").strip()
        if text:
            if name in out:
                raise SystemExit(f"{name} appears twice")
            out[name] = text
    return out


def load(path):
    root = ET.parse(path).getroot()
    if local(root.tag) == "Signature":
        root = find(find(root, "Object"), "Package")
    bd = find(find(root, "DataInfo"), "BussinessData")
    msg = find(bd, "InvtMessage")
    head = fields(find(msg, "InvtHeadType"))
    head.update({"(DelcareFlag)": (find(bd, "DelcareFlag").text or "").strip()})
    head.update({f"({k})": v for k, v in fields(msg).items()})
    lines = [fields(c) for c in msg if local(c.tag) == "InvtListType"]
    return head, lines


def same(name, a, b):
    if name in DECIMALS:
        try:
            return Decimal(a) == Decimal(b)
        except InvalidOperation:
            return False
    return a == b


def compare(where, a, b, problems):
    for k in sorted(set(a) | set(b)):
        if k not in a or k not in b:
            problems.append(f"{where}/{k}: only in {'the first' if k in a else 'the second'}")
        elif not same(k, a[k], b[k]):
            problems.append(f"{where}/{k}: {a[k]!r} != {b[k]!r}")


def main():
    (ha, la), (hb, lb) = load(sys.argv[1]), load(sys.argv[2])
    problems = []
    compare("InvtHeadType", ha, hb, problems)
    if len(la) != len(lb):
        problems.append(f"{len(la)} lines != {len(lb)} lines")
    for i, (a, b) in enumerate(zip(la, lb), 1):
        compare(f"InvtListType[{i}]", a, b, problems)
    for p in problems:
        print(p)
    # The comparison itself is checked: a file always equals itself, and has fields.
    return 1 if problems or not ha or not la else 0


sys.exit(main())
