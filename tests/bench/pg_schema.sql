-- pg_schema.sql — the PostgreSQL equivalent of bzl's ledger, for the baseline (run.sh).
--
-- What bzld keeps per accepted declaration, as tables: a journal entry whose (enterprise,
-- declaration id) is the unique idempotency key, its lines, the balance of every item a
-- line touches, and the period totals per flow that reconciliation reads instead of the
-- journal. Quantities are numeric(19,5) as in the customs columns.
SET client_min_messages = warning;
DROP TABLE IF EXISTS journal_line, journal, balance, period_total;

CREATE TABLE journal (
    seq         bigserial PRIMARY KEY,
    enterprise  char(10)    NOT NULL,
    decl_id     varchar(64) NOT NULL,
    book        char(12)    NOT NULL,
    kind        smallint    NOT NULL,
    direction   smallint    NOT NULL,
    trade_mode  char(4)     NOT NULL,
    decl_date   date        NOT NULL,
    line_count  integer     NOT NULL,
    actor_uid   integer     NOT NULL DEFAULT 0,
    created     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (enterprise, decl_id)
);

CREATE TABLE journal_line (
    seq       bigint   NOT NULL REFERENCES journal (seq),
    line_no   integer  NOT NULL,
    item      integer  NOT NULL,
    qty       numeric(19,5) NOT NULL,
    value     numeric(19,5) NOT NULL,
    unit      char(3)  NOT NULL,
    currency  char(3)  NOT NULL,
    PRIMARY KEY (seq, line_no)
);

CREATE TABLE balance (
    book        char(12) NOT NULL,
    kind        smallint NOT NULL,
    item        integer  NOT NULL,
    qty         numeric(19,5) NOT NULL DEFAULT 0,
    value       numeric(19,5) NOT NULL DEFAULT 0,
    pending_in  numeric(19,5) NOT NULL DEFAULT 0,
    pending_out numeric(19,5) NOT NULL DEFAULT 0,
    PRIMARY KEY (book, kind, item)
);

CREATE TABLE period_total (
    book    char(12) NOT NULL,
    kind    smallint NOT NULL,
    item    integer  NOT NULL,
    period  char(7)  NOT NULL,
    flow    smallint NOT NULL,
    qty     numeric(19,5) NOT NULL,
    value   numeric(19,5) NOT NULL,
    PRIMARY KEY (book, kind, item, period, flow)
);

-- The same enterprises, books and items bzl-bench --setup registers, each with a balance row.
INSERT INTO balance (book, kind, item)
SELECT 'HBZB' || lpad(e::text, 8, '0'), 1, i
FROM generate_series(1, :nent) e, generate_series(1, :nitems) i;
ANALYZE;
