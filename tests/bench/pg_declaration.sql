-- pg_declaration.sql — one declaration of :lines lines on distinct items, in one transaction:
-- the journal entry (its unique key is the idempotency check), its lines, the balances and the
-- period totals. Set-based statements: PostgreSQL's best formulation, not a row-by-row port.
\set e random(1, :nent)
\set first random(1, :nitems - :lines + 1)
\set last :first + :lines - 1
\set id random(1, 9000000000000000000)
BEGIN;
INSERT INTO journal (enterprise, decl_id, book, kind, direction, trade_mode, decl_date, line_count)
  VALUES ('BZB' || lpad(:e::text, 7, '0'), 'PGB-' || :id::text, 'HBZB' || lpad(:e::text, 8, '0'),
          1, 1, '5015', '2026-03-01', :lines::int);
INSERT INTO journal_line (seq, line_no, item, qty, value, unit, currency)
  SELECT currval('journal_seq_seq'), g - :first::int + 1, g, 1, 1, '035', '502'
  FROM generate_series(:first::int, :last::int) g;
UPDATE balance SET qty = qty + 1, value = value + 1
  WHERE book = 'HBZB' || lpad(:e::text, 8, '0') AND kind = 1
    AND item BETWEEN :first::int AND :last::int;
INSERT INTO period_total (book, kind, item, period, flow, qty, value)
  SELECT 'HBZB' || lpad(:e::text, 8, '0'), 1, g, '2026-03', 1, 1, 1
  FROM generate_series(:first::int, :last::int) g
  ON CONFLICT (book, kind, item, period, flow)
  DO UPDATE SET qty = period_total.qty + EXCLUDED.qty, value = period_total.value + EXCLUDED.value;
COMMIT;
