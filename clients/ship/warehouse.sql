-- warehouse.sql — the PostgreSQL schema bzl-ship ships zones' journals into (docs/WAREHOUSE.md).
-- bzl-ship runs this whole file at start, in one transaction under an advisory lock, so it is
-- idempotent: tables are created when absent, views replaced. Names are stable: operators and
-- analysts rely on them. Every figure is numeric (exact decimal): never float.
--
-- The distribution key is zone (then enterprise): every table leads with zone, and every view
-- groups by it, so the same schema distributes by zone on Citus (create_distributed_table on
-- zone) or partitions by zone (PARTITION BY LIST (zone)); docs/WAREHOUSE.md says how.

-- The journal, one row per entry of each zone, unique on (zone, seq) and chained by hash.
CREATE TABLE IF NOT EXISTS bzl_entry (
  zone            text        NOT NULL,
  seq             bigint      NOT NULL,
  hash            bytea       NOT NULL,  -- BLAKE2b-256 over prev_hash and the entry
  prev_hash       bytea       NOT NULL,  -- the previous entry's hash (32 zero bytes before 1)
  time            timestamptz NOT NULL,
  type            text        NOT NULL,  -- enterprise, book, item, declaration, post, void,
                                         -- reverse, period_close, norm, item_mode, reject,
                                         -- stocktake, rate, trade, tax_table,
                                         -- assessment, lot_method (docs/TAX.md),
                                         -- workorder_open, workorder_complete, delivery,
                                         -- change (a 核注清单 change, docs/INV101.md)
  uid             bigint      NOT NULL,
  role            text,
  request_id      numeric(20) NOT NULL,
  enterprise      text,                  -- whose record the entry touched
  book            text,                  -- which book's
  summary         text        NOT NULL,
  -- declaration (type declaration): its header; its lines are bzl_line
  decl_id         text,                  -- also post, void, reject, reverse: the declaration
  decl_kind       text,                  -- material | product
  decl_direction  text,                  -- in | out
  trade_mode      text,
  date            date,                  -- declaration date; item_mode: from; period_close:
                                         -- through; stocktake: its date
  pending         boolean,
  related_book    text,
  related_id      text,
  flow            text,                  -- the declaration's flow (docs/LEDGER.md)
  -- post, void, reject, reverse
  ref_seq         bigint,                -- the declaration's entry
  posting_seq     bigint,                -- reverse: the entry whose effects it negates
  reason          text,
  -- effects' month (bzl_effect), rate and trade month: YYYY-MM
  month           text,
  -- rate, trade
  currency        text,
  cny             numeric,               -- rate: CNY per unit of currency
  exports         numeric,               -- trade: non-bonded exports of the zone
  imports         numeric,               -- trade: non-bonded imports of the zone
  -- enterprise
  uscc            text,
  name            text,                  -- enterprise or item name
  area            text,
  -- item, item_mode
  item_kind       text,
  item            integer,
  item_mode       text,                  -- OEM | ODM | OBM
  hs              text,
  unit            text,
  PRIMARY KEY (zone, seq)
);

-- Declaration lines as accepted (type declaration), with the business mode the ledger resolved.
CREATE TABLE IF NOT EXISTS bzl_line (
  zone         text    NOT NULL,
  seq          bigint  NOT NULL,  -- the declaration's entry
  line         integer NOT NULL,  -- 1-based
  item         integer NOT NULL,
  qty          numeric NOT NULL,
  unit         text    NOT NULL,
  value        numeric NOT NULL,
  currency     text    NOT NULL,
  usd          numeric,           -- its own USD statistical value, when declared
  mode_declared text,             -- the line's override
  mode         text,              -- as resolved: override, mode in force, the item's
  country      text,
  bom_version  text,
  PRIMARY KEY (zone, seq, line)
);

-- What each entry did to each item (declaration, post, void, reject, reverse).
CREATE TABLE IF NOT EXISTS bzl_effect (
  zone            text    NOT NULL,
  seq             bigint  NOT NULL,
  n               integer NOT NULL,  -- 1-based within the entry
  book            text    NOT NULL,
  month           text    NOT NULL,  -- the period-total month, YYYY-MM
  kind            text    NOT NULL,  -- material | product
  item            integer NOT NULL,
  category        text    NOT NULL,  -- a flow, consumption, tangible or intangible loss
  qty             numeric NOT NULL,  -- posted quantity delta
  value           numeric NOT NULL,  -- posted value delta
  pending_in      numeric NOT NULL,
  pending_out     numeric NOT NULL,
  scrap_generated numeric NOT NULL,
  scrap_used      numeric NOT NULL,
  total           numeric NOT NULL,  -- the category's period total after it
  PRIMARY KEY (zone, seq, n)
);

-- The posted value each entry moved, per item and currency (the stream's values): a line's value
-- in its own currency, consumption at average cost from each currency in proportion. Per entry
-- and item they sum to bzl_effect.value.
CREATE TABLE IF NOT EXISTS bzl_value (
  zone     text    NOT NULL,
  seq      bigint  NOT NULL,
  n        integer NOT NULL,  -- 1-based within the entry
  book     text    NOT NULL,
  kind     text    NOT NULL,  -- material | product
  item     integer NOT NULL,
  currency text    NOT NULL,  -- customs numeric currency code
  value    numeric NOT NULL,
  PRIMARY KEY (zone, seq, n)
);

-- Where each zone's stream stands: moved in the same transaction as the rows it covers.
CREATE TABLE IF NOT EXISTS bzl_cursor (
  zone       text        PRIMARY KEY,
  seq        bigint      NOT NULL,  -- the last entry shipped (0: none)
  hash       bytea       NOT NULL,  -- its hash (32 zero bytes for none)
  head_seq   bigint      NOT NULL DEFAULT 0,  -- the zone's head when the batch was read
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Lookups by the declaration an action names (post, void, reject, reverse).
CREATE INDEX IF NOT EXISTS bzl_entry_ref ON bzl_entry (zone, ref_seq) WHERE ref_seq IS NOT NULL;

-- ---- the rounding rule ---------------------------------------------------------------------
-- num / den at `places` decimals, half-up (away from zero), computed exactly: bzl's one rounding
-- rule (DESIGN.md §3), never numeric division's own. NULL when den is 0.
CREATE OR REPLACE FUNCTION bzl_div_half_up(num numeric, den numeric, places integer)
RETURNS numeric LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE WHEN den = 0 THEN NULL ELSE round(
    sign(num) * sign(den) *
    (div(abs(num) * 10::numeric ^ places, abs(den)) +
     CASE WHEN 2 * mod(abs(num) * 10::numeric ^ places, abs(den)) >= abs(den) THEN 1 ELSE 0 END)
    / 10::numeric ^ places, places) END
$$;
-- A percentage at 4 places half-up, as the reports print it; NULL ("n/a") when den is 0.
CREATE OR REPLACE FUNCTION bzl_pct(num numeric, den numeric)
RETURNS numeric LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT bzl_div_half_up(num * 100, den, 4) $$;

-- ---- master data as the journal recorded it ---------------------------------------------------
CREATE OR REPLACE VIEW bzl_enterprise AS
  SELECT zone, enterprise, uscc, name, coalesce(area, '') AS area, seq
  FROM bzl_entry WHERE type = 'enterprise';
CREATE OR REPLACE VIEW bzl_book AS
  SELECT zone, book, enterprise, seq FROM bzl_entry WHERE type = 'book';
CREATE OR REPLACE VIEW bzl_item AS
  SELECT zone, book, item_kind AS kind, item, name, unit, hs, item_mode AS mode, seq
  FROM bzl_entry WHERE type = 'item';
-- The month's customs rate of a currency (CNY per unit): the last one set.
CREATE OR REPLACE VIEW bzl_rate AS
  SELECT DISTINCT ON (zone, month, currency) zone, month, currency, cny
  FROM bzl_entry WHERE type = 'rate' ORDER BY zone, month, currency, seq DESC;
-- The month's general (non-bonded) trade of the zone per currency: the last one recorded.
CREATE OR REPLACE VIEW bzl_general_trade AS
  SELECT DISTINCT ON (zone, month, currency) zone, month, currency, exports, imports
  FROM bzl_entry WHERE type = 'trade' ORDER BY zone, month, currency, seq DESC;

-- ---- balances (bzl balance) -----------------------------------------------------------------
-- Per book and item: every effect's deltas summed, as bzl verify recomputes them.
CREATE OR REPLACE VIEW bzl_balance AS
  SELECT i.zone, i.book, b.enterprise, i.kind, i.item, i.name, i.unit,
         coalesce(s.qty, 0) AS qty, coalesce(s.value, 0) AS value,
         coalesce(s.pending_in, 0) AS pending_in, coalesce(s.pending_out, 0) AS pending_out,
         coalesce(s.qty, 0) - coalesce(s.pending_out, 0) AS available
  FROM bzl_item i
  JOIN bzl_book b ON b.zone = i.zone AND b.book = i.book
  LEFT JOIN (SELECT zone, book, kind, item, sum(qty) AS qty, sum(value) AS value,
                    sum(pending_in) AS pending_in, sum(pending_out) AS pending_out
             FROM bzl_effect GROUP BY zone, book, kind, item) s
    ON s.zone = i.zone AND s.book = i.book AND s.kind = i.kind AND s.item = i.item;

-- Per book, item and currency: the posted value on hand, as `bzl balance` lists it (a currency
-- whose value sums to 0 is not listed).
CREATE OR REPLACE VIEW bzl_balance_value AS
  SELECT v.zone, v.book, b.enterprise, v.kind, v.item, v.currency, sum(v.value) AS value
  FROM bzl_value v
  JOIN bzl_book b ON b.zone = v.zone AND b.book = v.book
  GROUP BY v.zone, v.book, b.enterprise, v.kind, v.item, v.currency
  HAVING sum(v.value) <> 0;

-- ---- trade values: what the reports convert -------------------------------------------------
-- A declaration's weight in the trade values: 1 while posted (at once, or by a post entry),
-- 0 pending, voided or rejected, and back to 0 once reversed.
CREATE OR REPLACE VIEW bzl_decl_weight AS
  SELECT d.zone, d.seq,
         (CASE WHEN d.pending THEN 0 ELSE 1 END) + coalesce(a.posts, 0) - coalesce(a.reversals, 0)
           AS weight
  FROM bzl_entry d
  LEFT JOIN (SELECT zone, ref_seq, count(*) FILTER (WHERE type = 'post') AS posts,
                    count(*) FILTER (WHERE type = 'reverse') AS reversals
             FROM bzl_entry WHERE ref_seq IS NOT NULL GROUP BY zone, ref_seq) a
    ON a.zone = d.zone AND a.ref_seq = d.seq
  WHERE d.type = 'declaration';

-- One row per (book, month, flow, item, mode, currency) of posted lines, as the ledger keeps
-- its trade values: the value of lines without a USD value, the USD of lines with one, and the
-- row in USD converted once, at the month's rates through CNY, 5 places half-up (NULL when a
-- rate is missing: the daemon answers RATE_MISSING).
CREATE OR REPLACE VIEW bzl_trade_value AS
  WITH t AS (
    SELECT d.zone, d.book, b.enterprise, to_char(d.date, 'YYYY-MM') AS month, d.flow,
           d.decl_kind AS kind, l.item, coalesce(l.mode, 'none') AS mode, l.currency,
           sum(w.weight * l.qty) AS qty,
           coalesce(sum(w.weight * l.value) FILTER (WHERE l.usd IS NULL), 0) AS value,
           coalesce(sum(w.weight * l.usd) FILTER (WHERE l.usd IS NOT NULL), 0) AS usd_declared
    FROM bzl_entry d
    JOIN bzl_decl_weight w ON w.zone = d.zone AND w.seq = d.seq AND w.weight <> 0
    JOIN bzl_line l ON l.zone = d.zone AND l.seq = d.seq
    JOIN bzl_book b ON b.zone = d.zone AND b.book = d.book
    WHERE d.type = 'declaration'
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9)
  SELECT t.*, e.area,
         t.flow IN ('product export', 'product transfer out') AS is_e,
         t.flow IN ('material import', 'material transfer in') AS is_i,
         t.flow IN ('product transfer out', 'material transfer in') AS is_transfer,
         CASE WHEN t.value = 0 THEN 0
              WHEN t.currency = '502' THEN t.value
              ELSE bzl_div_half_up(t.value * r.cny, u.cny, 5) END + t.usd_declared AS usd
  FROM t
  JOIN bzl_enterprise e ON e.zone = t.zone AND e.enterprise = t.enterprise
  LEFT JOIN bzl_rate r ON r.zone = t.zone AND r.month = t.month AND r.currency = t.currency
  LEFT JOIN bzl_rate u ON u.zone = t.zone AND u.month = t.month AND u.currency = '502';

-- ---- value-added ratio (bzl report var) -----------------------------------------------------
-- E and I in USD per zone, enterprise, area and month; var_pct = (E − I) / I × 100 and
-- net_export_pct = (E − I) / E × 100. For a period, a group of enterprises, an area or the
-- zone, sum e_usd and i_usd over the rows first, then apply bzl_pct (docs/WAREHOUSE.md); the
-- _excl columns leave deep-processing transfers out (--exclude-transfers).
CREATE OR REPLACE VIEW bzl_var AS
  SELECT zone, enterprise, area, month,
         sum(usd) FILTER (WHERE is_e) AS e_usd,
         sum(usd) FILTER (WHERE is_i) AS i_usd,
         sum(usd) FILTER (WHERE is_e AND NOT is_transfer) AS e_usd_excl,
         sum(usd) FILTER (WHERE is_i AND NOT is_transfer) AS i_usd_excl,
         bzl_pct(coalesce(sum(usd) FILTER (WHERE is_e), 0) - coalesce(sum(usd) FILTER (WHERE is_i), 0),
                 coalesce(sum(usd) FILTER (WHERE is_i), 0)) AS var_pct,
         bzl_pct(coalesce(sum(usd) FILTER (WHERE is_e), 0) - coalesce(sum(usd) FILTER (WHERE is_i), 0),
                 coalesce(sum(usd) FILTER (WHERE is_e), 0)) AS net_export_pct
  FROM bzl_trade_value WHERE is_e OR is_i
  GROUP BY zone, enterprise, area, month;

-- ---- value-added ratio by business mode (bzl report var --by mode) ----------------------------
-- Over the months from_month..to_month (YYYY-MM): each book's imports are attributed to the modes
-- of its exports in proportion - book I × the mode's E, then ÷ the book's E, each to 5 places
-- half-up, as the report rounds them - and a book without exports keeps its imports under
-- 'none'; the shares are then summed per zone and mode.
CREATE OR REPLACE FUNCTION bzl_var_by_mode(from_month text, to_month text)
RETURNS TABLE (zone text, mode text, e_usd numeric, i_usd numeric, var_pct numeric,
               net_export_pct numeric)
LANGUAGE sql STABLE AS $$
  WITH b AS (
    SELECT t.zone, t.book,
           coalesce(sum(t.usd) FILTER (WHERE t.is_i), 0) AS book_i,
           coalesce(sum(t.usd) FILTER (WHERE t.is_e), 0) AS book_e
    FROM bzl_trade_value t
    WHERE t.month BETWEEN from_month AND to_month AND (t.is_e OR t.is_i)
    GROUP BY t.zone, t.book),
  m AS (
    SELECT t.zone, t.book, t.mode, sum(t.usd) AS e_m
    FROM bzl_trade_value t
    WHERE t.month BETWEEN from_month AND to_month AND t.is_e
    GROUP BY t.zone, t.book, t.mode),
  shares AS (
    SELECT b.zone, m.mode, m.e_m,
           bzl_div_half_up(bzl_div_half_up(b.book_i * m.e_m, 1, 5), b.book_e, 5) AS i_m
    FROM b JOIN m ON m.zone = b.zone AND m.book = b.book WHERE b.book_e <> 0
    UNION ALL
    SELECT b.zone, 'none', 0, b.book_i FROM b WHERE b.book_e = 0)
  SELECT s.zone, s.mode, sum(s.e_m), sum(s.i_m),
         bzl_pct(sum(s.e_m) - sum(s.i_m), sum(s.i_m)), bzl_pct(sum(s.e_m) - sum(s.i_m), sum(s.e_m))
  FROM shares s GROUP BY s.zone, s.mode
  HAVING sum(s.e_m) <> 0 OR sum(s.i_m) <> 0
$$;

-- ---- processing-trade share (bzl report share) ----------------------------------------------
-- Per zone and month: bonded trade (E + I) against the zone's general trade, both in USD and
-- rounded to cents once, as the report prints them; share_pct = bonded / (bonded + general) ×
-- 100 of those figures. For a period, sum the months' figures, then divide (the report's total
-- adds its printed months).
CREATE OR REPLACE VIEW bzl_share AS
  WITH bonded AS (
    SELECT zone, month, sum(usd) AS bonded_usd FROM bzl_trade_value WHERE is_e OR is_i
    GROUP BY zone, month),
  general AS (
    SELECT g.zone, g.month,
           sum(CASE WHEN g.exports + g.imports = 0 THEN 0
                    WHEN g.currency = '502' THEN g.exports + g.imports
                    ELSE bzl_div_half_up((g.exports + g.imports) * r.cny, u.cny, 5) END)
             AS general_usd
    FROM bzl_general_trade g
    LEFT JOIN bzl_rate r ON r.zone = g.zone AND r.month = g.month AND r.currency = g.currency
    LEFT JOIN bzl_rate u ON u.zone = g.zone AND u.month = g.month AND u.currency = '502'
    GROUP BY g.zone, g.month)
  SELECT zone, month, bonded_usd, general_usd,
         bzl_pct(bonded_usd, bonded_usd + general_usd) AS share_pct
  FROM (SELECT zone, month, bzl_div_half_up(coalesce(b.bonded_usd, 0), 1, 2) AS bonded_usd,
               bzl_div_half_up(coalesce(g.general_usd, 0), 1, 2) AS general_usd
        FROM bonded b FULL JOIN general g USING (zone, month)) m;

-- ---- OEM / ODM / OBM mix (bzl report modes) --------------------------------------------------
-- Export value (E) per zone, enterprise, month and business mode ("none" for lines without).
-- The report rounds each enterprise's value in a bucket (month or quarter: sum its months
-- first) to cents once, and its ZONE row adds those rounded values; a mode's share of a row is
-- its usd over the row's total, × 100, 4 places (bzl_pct).
CREATE OR REPLACE VIEW bzl_modes AS
  SELECT zone, enterprise, month, mode, sum(usd) AS usd
  FROM bzl_trade_value WHERE is_e
  GROUP BY zone, enterprise, month, mode;

-- ---- upgrades (bzl report upgrades) -----------------------------------------------------------
-- Every change of a product's business mode, dated: from the mode before it (the previous
-- event's, else the item's as registered) to the new one; change is upgrade, downgrade or same.
-- Dominant modes per period come from bzl_modes (the largest export value; a tie goes to the
-- higher mode), docs/WAREHOUSE.md.
CREATE OR REPLACE VIEW bzl_upgrades AS
  WITH ev AS (
    SELECT DISTINCT ON (zone, book, item, date) zone, book, item, date, item_mode AS mode
    FROM bzl_entry WHERE type = 'item_mode' ORDER BY zone, book, item, date, seq DESC),
  chained AS (
    SELECT ev.*, coalesce(lag(ev.mode) OVER (PARTITION BY ev.zone, ev.book, ev.item ORDER BY ev.date),
                          i.mode) AS from_mode
    FROM ev LEFT JOIN bzl_item i ON i.zone = ev.zone AND i.book = ev.book AND i.kind = 'product'
                                AND i.item = ev.item)
  SELECT zone, book, item, date, from_mode, mode AS to_mode,
         CASE WHEN from_mode IS NULL OR mode IS NULL OR from_mode = mode THEN 'same'
              WHEN array_position(ARRAY['OEM', 'ODM', 'OBM'], mode) >
                   array_position(ARRAY['OEM', 'ODM', 'OBM'], from_mode) THEN 'upgrade'
              ELSE 'downgrade' END AS change
  FROM chained;

-- Export value (E) per zone, enterprise, product (book, item), month and business mode: what
-- the dominant modes of `bzl report upgrades` are taken from, per product, enterprise or zone.
CREATE OR REPLACE VIEW bzl_product_modes AS
  SELECT zone, enterprise, book, item, month, mode, sum(usd) AS usd
  FROM bzl_trade_value WHERE is_e
  GROUP BY zone, enterprise, book, item, month, mode;

-- The dominant mode of export values per mode: the largest positive one, a tie going to the
-- higher mode (OBM over ODM over OEM over none); 'none' when no value is positive.
CREATE OR REPLACE FUNCTION bzl_dominant_mode(none_usd numeric, oem_usd numeric, odm_usd numeric,
                                             obm_usd numeric)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce((SELECT m FROM (VALUES (0, 'none', none_usd), (1, 'OEM', oem_usd),
                                         (2, 'ODM', odm_usd), (3, 'OBM', obm_usd)) v(i, m, x)
                   WHERE x > 0 ORDER BY x DESC, i DESC LIMIT 1), 'none')
$$;
