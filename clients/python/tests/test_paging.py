"""Proves every listing pages for the caller: asked one or two rows a page, each listing takes
several requests (a page boundary crossed) and yields exactly the rows of one default-sized
page, in order — through a Client's iterators, the joined Table of reconcile over every book,
and a Pipeline's futures."""

from __future__ import annotations

from typing import Any, Callable, Dict

import pytest

import bzl
import scenario


def _rows(table: Any) -> Any:
    """A Table's rows; a pipeline's Future of a Table stays a Future."""
    return table if isinstance(table, bzl.Future) else table.raw_rows


# Listing → a call taking page_size (scenario.py gives each at least two rows; history and
# audit many).
LISTINGS: Dict[str, Callable[[Any, int], Any]] = {
    "enterprises": lambda c, n: c.enterprises(page_size=n),
    "books": lambda c, n: c.books(page_size=n),
    "items": lambda c, n: c.items(scenario.BOOK, page_size=n),
    "declarations": lambda c, n: c.declarations(page_size=n),
    "balances": lambda c, n: c.balances(scenario.BOOK, page_size=n),
    "norms": lambda c, n: c.norms(scenario.BOOK, page_size=n),
    "history": lambda c, n: c.history(scenario.BOOK, "material", 1, page_size=n),
    "unmatched_transfers": lambda c, n: c.unmatched_transfers(page_size=n),
    "scrap": lambda c, n: c.scrap(scenario.BOOK, page_size=n),
    "rates": lambda c, n: c.rates(page_size=n),
    "audit": lambda c, n: c.audit(page_size=n),
    "reconcile": lambda c, n: _rows(c.reconcile("2026-01", page_size=n)),
}


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_a_listing_crosses_page_boundaries(client: bzl.Client, ledger: Any, name: str) -> None:
    call = LISTINGS[name]
    whole = list(call(client, 0))
    assert len(whole) >= 2, f"{name}: the scenario should give two rows at least"
    before = client.requests_sent
    paged = list(call(client, 1))
    pages = client.requests_sent - before
    assert paged == whole
    # One row a page (reconcile: one book a page, two books) takes at least two requests.
    assert pages >= 2, f"{name}: {pages} request(s) for {len(whole)} rows at one a page"


def test_listings_are_lazy(client: bzl.Client, ledger: Any) -> None:
    before = client.requests_sent
    it = client.history(scenario.BOOK, "material", 1, page_size=2)
    assert client.requests_sent == before  # nothing asked until iterated
    first = next(it)
    assert first.id == "D1" and client.requests_sent == before + 1
    next(it), next(it)  # the third row needs the second page
    assert client.requests_sent == before + 2


def test_reconcile_of_every_book_joins_its_pages(client: bzl.Client, ledger: Any) -> None:
    one_page = client.reconcile("2026-01")
    paged = client.reconcile("2026-01", page_size=1)
    assert paged.columns == one_page.columns and paged.rows == one_page.rows
    assert {r["book"] for r in paged.rows} == {scenario.BOOK, scenario.BOOK_B, scenario.REPAIR}


@pytest.mark.parametrize("name", ["balances", "history", "declarations", "audit", "reconcile"])
def test_a_pipelined_listing_follows_its_pages(client: bzl.Client, ledger: Any, name: str) -> None:
    whole = list(LISTINGS[name](client, 0))
    with client.pipeline(window=2) as p:
        futs = [LISTINGS[name](p, 1) for _ in range(3)]
        other = p.stats()
    for f in futs:
        got = f.result()
        assert list(got.raw_rows if name == "reconcile" else got) == whole
    assert other.result().requests > 0
