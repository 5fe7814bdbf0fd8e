-- pg_balance.sql — one point balance read, what bzl's QueryBalances with book, kind, item does.
\set e random(1, :nent)
\set item random(1, :nitems)
SELECT qty, value, pending_in, pending_out, qty - pending_out AS available
  FROM balance WHERE book = 'HBZB' || lpad(:e::text, 8, '0') AND kind = 1 AND item = :item::int;
