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
                                         -- stocktake, rate, trade
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

-- Where each zone's stream stands: moved in the same transaction as the rows it covers.
CREATE TABLE IF NOT EXISTS bzl_cursor (
  zone       text        PRIMARY KEY,
  seq        bigint      NOT NULL,  -- the last entry shipped (0: none)
  hash       bytea       NOT NULL,  -- its hash (32 zero bytes for none)
  head_seq   bigint      NOT NULL DEFAULT 0,  -- the zone's head when the batch was read
  updated_at timestamptz NOT NULL DEFAULT now()
);
