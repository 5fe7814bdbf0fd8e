/* format.h — the on-disk format of the ledger: every LMDB database's key and value bytes, the
 * journal entry and its payloads, and their size constants, in one place (SQLite's btreeInt.h).
 * Included by storage_internal.h; only lib/src/storage/ reads or writes these bytes.
 *
 * ON-DISK FORMAT, schema version 5 (BZL_SCHEMA_VERSION). Version 2 added the journal's hash
 * chain (the hash field of every entry, the head in meta) and the bonded ledger: effects in
 * declaration entries, entry types 5-11, the idem value's state, and the databases norm, scrap,
 * total, period, item_mode, transfer and history. Version 3 keyed history by journal sequence,
 * chained per item from the balance row's new history_head. Version 4 added the loss totals
 * (total categories 65 tangible and 66 intangible loss; effects of category 66 in journal
 * entries), the norm version's first-user rows in the norm database, and meta "schema4_from"
 * (on an upgraded ledger, the first entry written under schema 4: storage_internal.h).
 * Version 5 keeps every balance's value per currency: the databases value and split, and meta
 * "schema5_from" while the upgrade derives them from the journal.
 *
 * Integers in keys are big-endian, so LMDB's memcmp order is numeric order. Integers in values
 * are little-endian and written byte by byte (never a struct memcpy), so the layout does not
 * depend on the compiler. Text is UTF-8 without NUL. A code (enterprise, USCC, book, HS, unit,
 * currency, trade mode) is stored at its exact width; a "padded" field is zero-filled to its
 * width when shorter (or absent). Every value is checked when read back: a wrong length, a
 * NUL inside text or an enum out of range is BZL_CORRUPT.
 *
 * meta — schema and counters. Key: ASCII name, no NUL.
 *
 *   key              value
 *   "schema"         u32 LE   schema version of everything below
 *   "journal_next"   u64 LE   sequence the next journal entry takes; the first entry is 1
 *   "journal_head"   u64 LE seq | hash[32]   the last sealed entry and its chain hash;
 *                    (0, zeros) on an empty journal (schema 2)
 *   "stocktake_by_from"  u64 LE   the first journal sequence whose stocktake entries were
 *                    stored by who counted (below: stocktake_enterprise); written at the first
 *                    open by a build that keeps counts apart (journal_next then; 1 for a new
 *                    ledger). Within schema 5: see the stocktake table.
 *
 * enterprise — key: code[10]
 *
 *   offset  size  field
 *   0       18    uscc
 *   18      2     name_len u16 (1..512)
 *   20      n     name
 *   20+n    1     area_len u8 (0..64)
 *   21+n    m     area
 *
 * book — key: book_no[12]; value 16 bytes, or 17 for a repair book
 *
 *   0       10    enterprise
 *   10      1     verify_mode (bzl_verify_mode)
 *   11      1     status (bzl_book_status)
 *   12      4     period_days u32
 *   16      1     usage u8, present only when not 0 (3: 保税维修, repair.h); so every other book
 *                 and its journal entry keep their 16 bytes
 *
 * item — key: book_no[12] | kind u8 | item_no u32 BE (17 bytes)
 *
 *   0       10    hs
 *   10      3     unit
 *   13      1     biz_mode (bzl_biz_mode)
 *   14      2     name_len u16 (1..512)
 *   16      n     name
 *
 * balance — key: the item key; value 40 bytes (absent = all zero)
 *
 *   0       8     qty_e5 i64
 *   8       8     value_e5 i64
 *   16      8     pending_in_e5 i64
 *   24      8     pending_out_e5 i64
 *   32      8     history_head u64: the seq of the item's newest history row (0 = none), the
 *                 start of its chain through the history database (schema 3)
 *
 * journal — key: seq u64 BE (1, 2, 3, … appended with MDB_APPEND). Never updated or deleted.
 *
 *   0       1     type: 1 enterprise, 2 book, 3 item, 4 declaration, 5 post, 6 void,
 *                 7 reverse, 8 period close, 9 norm, 10 item mode, 11 reject, 12 stocktake,
 *                 13 rate, 14 trade; 18 work order open, 19 work order complete,
 *                 20 delivery (payloads at the top of storage_repair.c and storage_transfer.c),
 *                 21 declaration changed (storage_replace.c: enterprise 10 | id_len u8 | id |
 *                 old version's entry u64 | its void entry u64 | new version's entry u64 |
 *                 reason_len u16 | reason; no effects: the void and the new declaration carry
 *                 them), 22 receipt (a customs receipt applied to a list: the receipt table
 *                 below; 23 is held for customs receipts)
 *   1       8     time_ms i64
 *   9       4     uid u32
 *   13      4     gid u32
 *   17      4     pid i32
 *   21      1     role u8 (the daemon's principal role: 1 admin, 2 customs, 3 reconciler,
 *                 4 enterprise; 0 for entries written outside the daemon)
 *   22      8     request_id u64
 *   30      32    hash: BLAKE2b-256(previous entry's hash || bytes 0..30 || bytes 62..end),
 *                 the previous hash of entry 1 being 32 zero bytes (schema 2). Every entry type
 *                 is chained: reserve, fill the payload, then bzl__journal_seal.
 *   62      4     payload_len u32
 *   66      n     payload, the record's canonical encoding:
 *                   1 enterprise   code[10] | the enterprise value
 *                   2 book         book_no[12] | the book value
 *                   3 item         the item key | the item value
 *                   4 declaration  the table below, then two EFFECTS sections: what the entry
 *                                  applied, and (pending declarations only; count 0 otherwise)
 *                                  the posted form a later post applies
 *                   5 post         ref_seq u64 (the declaration's entry) | enterprise[10] |
 *                                  id_len u8 | id | EFFECTS (applied)
 *                   6 void,        ref_seq u64 | enterprise[10] | id_len u8 | id |
 *                  11 reject       reason_len u16 | reason | EFFECTS (the released reservation)
 *                   7 reverse      ref_seq u64 | posting_seq u64 (the entry whose effects are
 *                                  negated) | enterprise[10] | id_len u8 | id | reason_len u16 |
 *                                  reason | EFFECTS (the exact negation)
 *                   8 period close book_no[12] | through i32 (days)
 *                   9 norm         the norm key | the norm value
 *                  10 item mode    the item_mode key | mode u8
 *                  12 stocktake    the stocktake as submitted (table below); the per-material
 *                                  rows it derived follow from it and the norms in force
 *                  13 rate         month u32 (yyyymm) | currency[3] | cny_e9 i64 |
 *                                  previous_e9 i64 (the rate it replaced; 0 when none)
 *                  14 trade        month u32 (yyyymm) | currency[3] | exports_e5 i64 |
 *                                  imports_e5 i64 (the row as recorded, replacing any earlier)
 *                 15 tax table   table u8, then for 1 (a tariff row): hs[10] | from i32
 *                                (days) | duty_e9 i64 | vat_e9 i64 | excise_e9 i64 | had u8
 *                                (a row of that key existed) | previous duty_e9, vat_e9,
 *                                excise_e9 i64 (0 when not had); for 2 (a 缓税利息-rate row):
 *                                from i32 | rate_e9 i64 | had u8 | previous_e9 i64
 *                 16 assessment  the assessment payload (below)
 *                 17 lot method  book_no[12] | method u8 (1 FIFO, 2 SPECIFIC, 3 AVERAGE) |
 *                                previous u8 (storage_lots.c)
 *                 Types 12-17 (storage_recon.c, storage_tax.c) carry no EFFECTS: they move no
 *                 balance. A replayed rate, trade, tariff or interest recording (same values)
 *                 writes no entry. Neither do 18-20: they move the repair accounts and the
                 delivery register below.
 *
 *   EFFECTS section (storage_effects.c): every balance delta an entry applied, so that
 *   bzl_storage_verify_balances can recompute every balance and allowance from the journal.
 *
 *   size  field
 *   12    book_no
 *   4     month u32 (yyyymm of the declaration date: the period-total month)
 *   4     count u32
 *   71×   effects, each:
 *           1  kind
 *           4  item_no u32
 *           1  category u8 (a bzl_flow, 64 consumption, or 66 intangible loss: a
                                 period total only, schema 4)
 *           1  flags u8 (1 = value at average cost, only in a pending entry's posted form)
 *           8  qty_e5 i64          posted quantity delta
 *           8  value_e5 i64        posted value delta
 *           8  pending_in_e5 i64
 *           8  pending_out_e5 i64
 *           8  scrap_gen_e5 i64    tangible-loss allowance generated
 *           8  scrap_used_e5 i64   allowance drawn by scrap dispositions
 *           8  total_e5 i64        period total quantity of `category` in `month`
 *           8  total_value_e5 i64
 *
 *   Declaration payload (storage_submit.c). A deterministic function of the bzl_declaration's
 *   fields, because idempotency compares it byte for byte with a retry's encoding:
 *
 *   size  field
 *   1     id_len u8 (1..64)
 *   n     id
 *   10    enterprise
 *   12    book_no
 *   1     kind
 *   1     direction
 *   4     trade_mode
 *   4     date i32 (days since 1970-01-01)
 *   1     flags: 1 pending, 2 an ATTRS section follows the lines, 4 a draft (暂存: its
 *           effects sections are empty; always with 1) (no other bit set; a declaration
 *           without attributes encodes exactly as before attributes existed)
 *   12    related_book, padded
 *   1     related_id_len u8 (0..64)
 *   m     related_id
 *   4     line_count u32
 *   47×   lines, each:
 *           4  item_no u32
 *           8  qty_e5 i64
 *           8  value_e5 i64
 *           1  has_usd (0 or 1)
 *           8  usd_e5 i64 (0 when has_usd is 0)
 *           1  biz_mode
 *           3  unit
 *           3  currency
 *           3  country, padded
 *           8  bom_version, padded
 *   ATTRS section, only when flags has 2 (storage_decl_codec.c):
 *   4     attrs_len u32 (> 0): the bytes of the records that follow
 *   7+n×  records in strictly ascending (line, tag) order, one per attribute that is not at
 *         its default (absent attributes are not written, which keeps the encoding canonical),
 *         except that the 核注清单's fields (tags 64-159) follow all the others as one run, in
 *         its own strictly ascending (line, tag) order:
 *           4  line u32: 0 for the declaration, 1..line_count for a line
 *           1  tag u8 (the table below; an unknown tag is CORRUPT)
 *           2  len u16 (1..65535)
 *           n  value
 *   Tags, allocated in ranges by subject: 1-31 repair and transfers, 32-63 domestic-sale tax
 *   and lots, 64-159 the 核注清单's own fields (INV101), 160-191 held for customs receipts
 *   (unused: receipts keep their back-fills in the receipt table), 192-255 free.
 *         tag  scope        value
 *           1  declaration  origin u8: 1 abroad, 2 outside the zone (bzl_origin; repair books)
 *          32  declaration  duty_basis u8: 2 product, 3 material (bzl_tax_basis; domestic sales)
 *          33  declaration  tax_date i32 LE (days): the tax notice's date (domestic sales)
 *          34  line         lots: count u16, then count × (receipt_line u32 | qty_e5 i64 |
 *                           id_len u8 | id): the lots the line takes (SPECIFIC, storage_lots.c)
 *      64-159  both         the 核注清单's own fields (INV101), UTF-8 text as the list had it, at
 *                           most 4 bytes per character of the message's bound; the table is
 *                           lib/src/core/list_fields.c, the run's reader bzl_list_field_next.
 *                           They follow every other record. Header (line 0), 64 + the element's
 *                           place in InvtHeadType:
 *                64 SeqNo  65 BondInvtNo  66 ChgTmsCnt  68 InvtType  71 BizopEtpsSccd
 *                72 BizopEtpsNm  73 RcvgdEtpsno  74 RvsngdEtpsSccd  75 RcvgdEtpsNm  76 DclEtpsno
 *                77 DclEtpsSccd  78 DclEtpsNm  79 InputCode  80 InputCreditCode  81 InputName
 *                82 InputTime  84 EntryNo  85 EntryDclTime  86 CorrEntryDclEtpsNo
 *                87 CorrEntryDclEtpsSccd  88 CorrEntryDclEtpsNm  89 RltInvtNo  90 RltPutrecNo
 *                91 RltEntryNo  92 RltEntryBizopEtpsno  93 RltEntryBizopEtpsSccd
 *                94 RltEntryBizopEtpsNm  95 RltEntryRcvgdEtpsno  96 RltEntryRvsngdEtpsSccd
 *                97 RltEntryRcvgdEtpsNm  98 RltEntryDclEtpsno  99 RltEntryDclEtpsSccd
 *                100 RltEntryDclEtpsNm  101 ImpexpPortcd  102 DclPlcCuscd  106 TrspModecd
 *                107 ApplyNo  108 ListType  109 DclcusFlag  110 DclcusTypecd  111 DecType
 *                112 GenDecFlag  113 StshipTrsarvNatcd  114 DclTypecd  115 IcCardNo  116 Rmk
 *                117 LevyBlAmt  118 BondInvtTypecd  119 ListStat  120 VrfdedMarkcd
 *                121 InvtIochkptStucd  122 PassportUsedTypeCd  123 EntryStucd
 *                124 NeedEntryModified  125 PrevdTime  126 FormalVrfdedTime  127 DelcareFlag
 *                128 SysId  129 OperCusRegCode
 *              (67, 69, 70, 83, 103-105: core fields, never used). Lines (1..n), 64 + the
 *              element's place in InvtListType:
 *                64 SeqNo  65 GdsSeqno  67 GdsMtno  68 Gdecd  69 GdsNm  70 GdsSpcfModelDesc
 *                72 LawfUnitcd  73 SecdLawfUnitcd  75 LawfQty  76 SecdLawfQty  77 DclUprcAmt
 *                82 DestinationNatcd  83 LvyrlfModecd  84 WtSfVal  85 FstSfVal  86 SecdSfVal
 *                87 GrossWt  88 NetWt  90 ClyMarkcd  91 EntryGdsSeqno  92 ApplyTbSeqno
 *                93 UseCd  94 ModfMarkcd  95 Rmk  96 ActlPassQty  97 PassportUsedQty
 *              (66, 71, 74, 78-81, 89: core fields, never used).
 *
 *   Stocktake payload (storage_recon.c):
 *
 *   size  field
 *   12    book_no
 *   4     date i32 (days since 1970-01-01)
 *   1     count_scrap (0 or 1)
 *   4     line_count u32 (0..BZL_DECL_LINES_CEILING)
 *   21×   lines, each:
 *           1  kind u8 (1 material, 2 product, 3 wip, 4 scrap)
 *           4  item_no u32
 *           8  qty_e5 i64
 *           8  bom_version, padded ("" for the version in force)
 *
 *   Assessment payload (entry type 16, storage_tax.c): what customs collects for one posted
 *   domestic sale (flows 6, 15, 19), journaled after the entry that posted it, and again, as
 *   reversed, after the entry that reversed it.
 *
 *   size  field
 *   8     decl_seq u64 (the declaration's entry)
 *   10    enterprise
 *   1     id_len u8 | n id
 *   12    book_no
 *   1     state u8 (1 assessed, 2 reversed)
 *   8     ref_seq u64 (the posting, or the reversing, entry)
 *   1     flow u8
 *   4     date i32 (the assessment date)
 *   1     basis u8 (1 ordinary, 2 product, 3 material, 4 scrap)
 *   1     status u8 (a bzl_status: 0 when every figure is known)
 *   1     msg_len u8 | m msg (why not, when status is not 0)
 *   4     interest_start i32
 *   56    cv, duty_cv, duty, excise, vat, interest_base, interest: i64 each (e5, fen-rounded)
 *   4     interest_days i32
 *   8     interest_rate_e9 i64
 *   1     interest_exempt u8 (0 none, 1 basis, 2 window, 3 small)
 *   1     small_exempted u8
 *   4     part_count u32 | 4 goods_count u32
 *   102×  parts, then goods, each: kind u8 | item u32 | goods_index u32 | hs[10] | qty_e5 i64 |
 *         value_e5 i64 | currency[3] | cny_e9 i64 | cv_e5 i64 | duty_e9 | vat_e9 | excise_e9 |
 *         duty_e5 | excise_e5 | vat_e5 (i64 each)
 *
 * idem — key: enterprise[10] | declaration id (1..64 bytes); value 25 bytes, the declaration's
 *   state (storage_effects.c):
 *
 *   0       8     seq u64, the declaration's journal entry
 *   8       1     state: 1 posted, 2 pending, 3 voided, 4 rejected, 5 reversed
 *   9       8     posted_seq u64: the entry whose effects posted it (its own entry, or the post
 *                 entry); 0 when never posted
 *   17      8     closed_seq u64: the void, reject or reverse entry; 0 when none
 *
 * norm — key: book_no[12] | product u32 BE | version[8] padded | material u32 BE (28 bytes);
 *   a version's materials are contiguous. Value 45 bytes:
 *
 *   0       4     valid_from i32 (days): in force for declarations dated on or after
 *   4       8     net_e9 i64 (净耗)
 *   12      8     tangible_e9 i64 (有形损耗率, percent)
 *   20      8     intangible_e9 i64 (无形损耗率, percent)
 *   28      8     share_e9 i64 (保税料件比例)
 *   36      8     ucns_e9 i64 (单耗, computed)
 *   44      1     used (0 or 1): a declaration consumed by it; immutable from then on
 *
 *   The same database holds one row per used version naming its first user (schema 4; the
 *   layout is at the top of storage_norms.c): key 0x00 | book_no[12] | product u32 BE |
 *   version[8] padded (25 bytes, before every norm key); value seq u64 | enterprise[10] |
 *   id_len u8 | id.
 *
 * scrap — key: the item key of a material; value 16 bytes: generated_e5 i64 | used_e5 i64, the
 *   tangible-loss (边角料) allowance generated by consumption and drawn by scrap dispositions.
 *
 * total — period totals, read by verification instead of the journal. Key: the item key |
 *   month u32 BE (yyyymm, calendar month of the declaration date) | category u8 (22 bytes);
 *   value 16 bytes: qty_e5 i64 | value_e5 i64. Posted effects only (pending reservations are
 *   not totals); a reversal subtracts in the original month. Category 65 (tangible loss) moves
 *   with every consumption effect's scrap_gen_e5; 66 (intangible loss) with its own effects.
 *
 * period — key: book_no[12]; value 12 bytes: closed_through i32 (days) | the closing entry's
 *   seq u64. Declarations, posts, reversals and stocktakes dated on or before it are refused.
 *
 * item_mode — key: the item key of a product | from u32 BE (days); value: mode u8. Business-mode
 *   (OEM/ODM/OBM) upgrade events; never overwritten.
 *
 * transfer — key: book_no[12] | declaration id; value: enterprise[10] | flow u8 |
 *   related_book[12] | related_id_len u8 | related_id. One row per transfer declaration that
 *   names its counterpart, for the unmatched-transfer report.
 *
 * history — key: seq u64 BE | kind u8 | item_no u32 BE (13 bytes; the book is the entry's);
 *   value: prev_seq u64 LE | entry type u8 | flow u8 | date i32 | qty_e5 i64 |
 *   pending_in_e5 i64 | pending_out_e5 i64 | id_len u8 | id. One row per entry that moved the
 *   item's posted or pending quantity. Keys follow the journal, so a commit appends its rows at
 *   the right edge of the tree instead of dirtying one page per item it touches (schema 3;
 *   docs/BENCHMARKS.md); an item's rows are chained newest to oldest from its balance row's
 *   history_head through prev_seq (0 ends the chain), so history reads one item's rows only.
 *
 * VERIFICATION AND REPORTS (storage_recon.c). Every table below is derived from the journal,
 * and bzl_storage_verify_balances recomputes each in its one pass (storage_verify.c,
 * storage_verify_derived.c): totals from the effects, trade values from the posted lines at the
 * flows and business modes of their time, stocktake rows from the entries' lines and the norms
 * of their time, closings from the totals of every month through the closed one, rates and
 * trade from their last entries. Databases added within schema 2: opened with
 * MDB_CREATE, so a database written before them opens unchanged (and they start empty). The
 * journal entry types 12-14 that record their writes were appended within schema 2 as well:
 * entries before them are unchanged, and the chain covers them like any other entry.
 *
 * stocktake — key: book_no[12] | date u32 BE (days) | material item u32 BE (20 bytes); value
 *   33 bytes: counted_e5 i64 | direct_e5 i64 | converted_e5 i64 | scrap_e5 i64 | count_scrap u8.
 *   The per-material counts a stocktake derived (products and WIP converted by norm, with the
 *   norms in force when it was journaled), one row per material the book held then (0 when not
 *   counted); a new stocktake of the same book, date and counter replaces every row of that
 *   date in its table. This table holds the customs count: stocktakes whose entry's role is not
 *   4 (enterprise), and every stocktake journaled before meta "stocktake_by_from", whoever
 *   counted (the count as submitted, as it always was; bzl audit names its actor).
 *
 * stocktake_enterprise — the same key and value: an enterprise's count (entry role 4, sequence
 *   from meta "stocktake_by_from" on), kept beside the customs count and never replacing it.
 *   Verification uses the latest customs count dated in the period, and the enterprise's only
 *   when customs counted none, saying which (bzl_recon_summary.counted_by). A database of its
 *   own rather than a new key layout, so every row written before it reads as it did and no
 *   schema version bump or upgrade is needed: it is created empty when absent.
 *
 * repair, workorder (storage_repair.c) and delivery (storage_transfer.c): bonded repair books'
 *   accounts and work orders, and deep-processing transfers' delivery registers, laid out at the
 *   top of those files. Created empty when absent; derived from entries 4 and 18-20, and
 *   recomputed by verify (storage_verify_repair.c).
 *
 * rate — key: month u32 BE (yyyymm) | currency[3]; value 8 bytes: cny_e9 i64 (CNY per unit).
 *
 * trade — key: month u32 BE | currency[3]; value 16 bytes: exports_e5 i64 | imports_e5 i64, the
 *   zone's non-bonded (general) trade recorded by `bzl trade record`.
 *
 * trade_value — key: book_no[12] | month u32 BE | flow u8 | kind u8 | item u32 BE | mode u8 |
 *   currency[3] (26 bytes); value 24 bytes: qty_e5 i64 | value_e5 i64 (lines without a USD
 *   value) | usd_e5 i64 (USD value of lines that carry one). Posted lines only, written with the
 *   period totals by submit, post and reverse; what value-added and mode reports convert.
 *
 * closing — key: book_no[12] | material item u32 BE | month u32 BE (20 bytes); value 8 bytes:
 *   book_e5 i64, the book balance (应剩余) at the end of `month` that a period close carried
 *   forward as the next period's opening.
 *
 * CUSTOMS RECEIPTS (storage_receipt.c; docs/INV101.md "Receipts"). receipt — one named database,
 * created empty when absent (no schema bump), every record derived from the receipt entries
 * (22) and proved by verify. FIELDS below is count u16 | per field: group u8 (0 the list, 1 a
 * list line, 2 a book line) | line u32 | name_len u8 | name | 0 | value_len u16 | value | 0.
 *   'L' enterprise[10] | id_len u8 | id → state u8 (bzl_customs_state) | receipts u16 |
 *       last_seq u64 | FIELDS: the latest value of each (group 0/1, line, name), in that order
 *   'R' enterprise[10] | id_len u8 | id | n u16 BE → seq u64 | ledger_seq u64 | content: the
 *       list's n-th receipt (0 first), content = message u8 | code_len u8 | code |
 *       seq_no_len u8 | seq_no | FIELDS in the receipt's order (what makes two receipts the
 *       same: a receipt whose content is one of its list's is replayed)
 *   'S' SeqNo (1..18 bytes) → enterprise[10] | id_len u8 | id
 *   'B' book_no[12] | kind u8 | item u32 BE → seq u64 | enterprise[10] | id_len u8 | id |
 *       FIELDS: the item's BwsDt values of the latest INV211 (what receipt diff compares)
 * Receipt payload (entry type 22): enterprise[10] | book_no[12] | kind u8 | id_len u8 | id |
 *   from u8 | to u8 (bzl_customs_state) | ledger_seq u64 (the post or reject entry written with
 *   it, 0 for none) | content.
 *
 * DOMESTIC-SALE TAX (storage_tax.c). Created empty when absent (no schema bump: a ledger
 * written before them has no tariffs, only the built-in interest rates, and no assessments).
 * Every row's value is seq u64 | the payload of entry seq, the last entry of its key, which
 * verify proves byte for byte.
 *
 * tariff — key: hs[10] | from u32 BE (days) (14 bytes); value: seq | the tax-table payload
 *   (type 15, table 1).
 * interest — key: from u32 BE (days); value: seq | the tax-table payload (type 15, table 2). The
 built-in
 *   PBOC history (lib/src/core/tax.c) is not stored: a row here adds to it or replaces the
 *   built-in row of its date.
 * assessment — key: decl_seq u64 BE; value: seq | assessment payload (type 16).
 * tax_first — key: book_no[12]; value: date i32 | seq u64: the book's earliest posted material
 *   import (flow 1) and its declaration entry, the start of 缓税利息 while the book was never
 *   verified (B.4). Moved only to an earlier date; a reversal leaves it (the goods did arrive).
 *   Verify checks that the entry it names is a posted import of that book on that date.
 *
 * LOTS (storage_lots.c; next-wave.md E.4). Created empty when absent; the first open by a build
 * that keeps lots writes meta "lots_from" (journal_next then) and, for a ledger written before,
 * one opening lot (entry 0) per item holding a quantity.
 *
 * lot — key: the item key | date u32 BE (receipt date; 0 for an opening lot) | seq u64 BE (the
 *   entry that received it; 0 for an opening lot) (29 bytes), so key order is FIFO order and an
 *   outflow reads only the oldest lots it takes; value 24 bytes: qty_e5 i64 (received) |
 *   remaining_e5 i64 (> 0) | value_e5 i64 (the value received). Open lots only: a lot that
 *   reaches 0 is deleted. An item's deficit row (what an outflow found no open lot for) has
 *   date and seq all ones (it sorts last), qty 0 and remaining < 0. Σ remaining per item = its
 *   balance's qty_e5.
 * lot_method — key: book_no[12]; value 9 bytes: method u8 (1 FIFO, 2 SPECIFIC, 3 AVERAGE) |
 *   last_move u64 (the entry of the book's first lot movement since its latest period close,
 *   else of an earlier one; storage_lots.c). Absent: FIFO, no movement.
 *
 * VALUES PER CURRENCY (storage_values.c; schema 5). A balance's value_e5 sums values declared in
 * different currencies; these two databases keep it apart, so nothing shows an unlabelled sum.
 *
 * value — key: the item key | currency[3] (20 bytes); value 8 bytes: value_e5 i64, the part of
 *   the item's posted value held in that currency. A row that reaches 0 is deleted, so the rows
 *   of an item sum to its balance's value_e5 and name exactly the currencies it holds.
 *
 * split — key: seq u64 BE of a journal entry that changed a posted value (a declaration posted
 *   at once, a post, a reversal); value: book_no[12] | count u16 | count × (kind u8 |
 *   item_no u32 LE | currency[3] | value_e5 i64), 16 bytes each: where that entry's value
 *   deltas landed. A line's value lands in the line's currency; a value at average cost
 *   (consumption) is taken from each currency the item holds in proportion to it; a reversal
 *   lands exactly the negation of its posting's row. Per (kind, item) a row sums to the value
 *   delta the entry journaled, and all rows sum to the value database.
 */
#ifndef BZL_STORAGE_FORMAT_H
#define BZL_STORAGE_FORMAT_H

#include "bzl/ledger.h"
#include "bzl/limits.h"

/* ---- the journal -------------------------------------------------------------------------- */

#define JOURNAL_HEADER_BYTES 66u
/* The entry's chain hash sits in the header between request_id and payload_len, so the type
 * still opens the header and payload_len still closes it (the journal table above). */
#define JOURNAL_HASH_OFFSET 30u
#define JOURNAL_HASH_BYTES 32u
#define JOURNAL_HEAD_BYTES (8u + JOURNAL_HASH_BYTES) /* meta "journal_head" */

/* Effects sections and the declaration payload. */
#define EFFECT_BYTES 71u
#define EFFECTS_HEADER_BYTES 20u
#define DECL_FIXED_BYTES                                                                           \
    (1u + BZL_ENTERPRISE_CODE_LEN + BZL_BOOK_NO_LEN + 1u + 1u + BZL_TRADE_MODE_LEN + 4u + 1u +     \
     BZL_BOOK_NO_LEN + 1u + 4u)
#define DECL_LINE_BYTES                                                                            \
    (4u + 8u + 8u + 1u + 8u + 1u + BZL_UNIT_LEN + BZL_CURRENCY_LEN + BZL_COUNTRY_LEN +             \
     BZL_BOM_VERSION_BYTES_MAX)
/* The declaration's flags byte and its ATTRS section. */
#define DECL_FLAG_PENDING 1u
#define DECL_FLAG_ATTRS 2u
#define DECL_FLAG_DRAFT 4u
#define ATTR_RECORD_HEADER_BYTES (4u + 1u + 2u)
enum {
    ATTR_ORIGIN = 1,
    ATTR_DUTY_BASIS = 32,
    ATTR_TAX_DATE = 33,
    ATTR_LOTS = 34,
};
/* One lot reference in an ATTR_LOTS value, without its id. */
#define ATTR_LOT_REF_BYTES (4u + 8u + 1u)
/* Stocktake payload (entry type 12): header, then lines. */
#define STOCK_ENTRY_HEADER_BYTES (BZL_BOOK_NO_LEN + 4u + 1u + 4u)
#define STOCK_ENTRY_LINE_BYTES (1u + 4u + 8u + BZL_BOM_VERSION_BYTES_MAX)
/* Rate and trade payloads (entry types 13, 14): month | currency | two i64. */
#define MONTH_KEY_BYTES (4u + BZL_CURRENCY_LEN)
#define MONTH_ENTRY_BYTES (MONTH_KEY_BYTES + 8u + 8u)

/* Tax entries and rows (types 15-17; storage_tax.c). */
#define TARIFF_KEY_BYTES (BZL_HS_LEN + 4u)
#define TARIFF_ENTRY_BYTES (1u + BZL_HS_LEN + 4u + 3u * 8u + 1u + 3u * 8u)
#define INTEREST_KEY_BYTES 4u
#define INTEREST_ENTRY_BYTES (1u + 4u + 8u + 1u + 8u)
#define ASSESS_PART_BYTES                                                                          \
    (1u + 4u + 4u + BZL_HS_LEN + 8u + 8u + BZL_CURRENCY_LEN + 8u + 8u + 3u * 8u + 3u * 8u)
#define ASSESS_FIXED_BYTES                                                                         \
    (8u + BZL_ENTERPRISE_CODE_LEN + 1u + BZL_BOOK_NO_LEN + 1u + 8u + 1u + 4u + 1u + 1u + 1u + 4u + \
     7u * 8u + 4u + 8u + 1u + 1u + 4u + 4u)
#define TAX_FIRST_VALUE_BYTES (4u + 8u)
/* Lots (storage_lots.c) and the lot-method entry (type 17). */
#define LOT_KEY_BYTES (ITEM_KEY_BYTES + 4u + 8u)
#define LOT_VALUE_BYTES (3u * 8u)
#define LOT_METHOD_VALUE_BYTES (1u + 8u)
#define LOT_METHOD_ENTRY_BYTES (BZL_BOOK_NO_LEN + 1u + 1u)

/* ---- keys and values ------------------------------------------------------------------------ */

#define ITEM_KEY_BYTES (BZL_BOOK_NO_LEN + 1u + 4u)
#define IDEM_KEY_BYTES_MAX (BZL_ENTERPRISE_CODE_LEN + BZL_DECL_ID_BYTES_MAX)
#define DECL_STATE_BYTES 25u
#define BOOK_VALUE_BYTES 16u
#define BALANCE_VALUE_BYTES 40u
#define ENTERPRISE_RECORD_BYTES_MAX                                                                \
    (BZL_ENTERPRISE_CODE_LEN + BZL_USCC_LEN + 2u + BZL_NAME_BYTES_MAX + 1u + BZL_AREA_BYTES_MAX)
#define BOOK_RECORD_BYTES (BZL_BOOK_NO_LEN + BOOK_VALUE_BYTES)
#define ITEM_RECORD_BYTES_MAX                                                                      \
    (ITEM_KEY_BYTES + BZL_HS_LEN + BZL_UNIT_LEN + 1u + 2u + BZL_NAME_BYTES_MAX)
#define HISTORY_KEY_BYTES (8u + 1u + 4u)
#define HISTORY_VALUE_BYTES_MAX (8u + 1u + 1u + 4u + 24u + 1u + BZL_DECL_ID_BYTES_MAX)
#define NORM_PREFIX_BYTES (BZL_BOOK_NO_LEN + 4u)
#define NORM_KEY_BYTES (NORM_PREFIX_BYTES + BZL_BOM_VERSION_BYTES_MAX + 4u)
#define NORM_VALUE_BYTES (4u + 5u * 8u + 1u)
#define USER_KEY_BYTES (1u + NORM_PREFIX_BYTES + BZL_BOM_VERSION_BYTES_MAX)
#define USER_VALUE_BYTES_MIN (8u + BZL_ENTERPRISE_CODE_LEN + 1u + 1u)
#define USER_VALUE_BYTES_MAX (8u + BZL_ENTERPRISE_CODE_LEN + 1u + BZL_DECL_ID_BYTES_MAX)
#define MODE_KEY_BYTES (ITEM_KEY_BYTES + 4u)
#define SCRAP_VALUE_BYTES 16u
#define TOTAL_KEY_BYTES (ITEM_KEY_BYTES + 4u + 1u)
#define STOCK_KEY_BYTES (BZL_BOOK_NO_LEN + 4u + 4u)
#define STOCK_VALUE_BYTES 33u
#define TV_KEY_BYTES (BZL_BOOK_NO_LEN + 4u + 1u + 1u + 4u + 1u + BZL_CURRENCY_LEN)
#define TV_VALUE_BYTES 24u
#define CLOSING_KEY_BYTES (BZL_BOOK_NO_LEN + 4u + 4u)
#define VALUE_KEY_BYTES (ITEM_KEY_BYTES + BZL_CURRENCY_LEN)
#define SPLIT_HEADER_BYTES (BZL_BOOK_NO_LEN + 2u)
#define SPLIT_PART_BYTES (1u + 4u + BZL_CURRENCY_LEN + 8u)

static_assert(DECL_FIXED_BYTES == 51u, "declaration header layout as documented");
static_assert(DECL_LINE_BYTES == 47u, "declaration line layout as documented");
static_assert(STOCK_ENTRY_HEADER_BYTES == 21u, "stocktake entry header as documented");
static_assert(STOCK_ENTRY_LINE_BYTES == 21u, "stocktake entry line as documented");
static_assert(MONTH_ENTRY_BYTES == 23u, "rate and trade entries as documented");
static_assert(BOOK_VALUE_BYTES == BZL_ENTERPRISE_CODE_LEN + 1u + 1u + 4u, "book value layout");
static_assert(BALANCE_VALUE_BYTES == 4u * 8u + 8u, "four int64 and the history head");
static_assert(EFFECT_BYTES == 1u + 4u + 1u + 1u + 8u * 8u, "effect layout as documented");
static_assert(EFFECTS_HEADER_BYTES == BZL_BOOK_NO_LEN + 4u + 4u, "effects header layout");
static_assert(DECL_STATE_BYTES == 8u + 1u + 8u + 8u, "declaration state layout");
static_assert(ITEM_KEY_BYTES == 17u, "item key is book[12] | kind | item_no");
static_assert(TV_KEY_BYTES == 26u, "trade_value key as documented");
static_assert(VALUE_KEY_BYTES == 20u, "value key as documented");
static_assert(SPLIT_PART_BYTES == 16u, "split part as documented");

#endif
