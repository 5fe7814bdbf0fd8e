/* main.c — the bzl command line: global options, the subcommand table, dispatch and help. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---- the subcommand table ---------------------------------------------------------------- */

/* The help text of each command is kept next to its table row so that `bzl --help` and
 * `bzl COMMAND --help` can never disagree about what exists. */
static const cli_cmd commands[] = {
    {"enterprise add", "--id CODE --uscc USCC --name NAME [--area AREA]",
     "register an enterprise with the zone",
     "Registers an enterprise and prints it as the daemon recorded it.\n"
     "\n"
     "  --id CODE      customs code, 10 characters (e.g. 6201230001)\n"
     "  --uscc USCC    unified social credit code, 18 characters\n"
     "  --name NAME    registered name\n"
     "  --area AREA    area of the zone, free text (optional)\n",
     cli_enterprise_add},
    {"enterprise list", "[--csv]", "list every registered enterprise",
     "Lists enterprises in code order, following the daemon's pages to the end.\n"
     "JSON: an array of {\"code\", \"uscc\", \"name\", \"area\"}.\n",
     cli_enterprise_list},
    {"enterprise show", "CODE", "show one enterprise",
     "Shows the enterprise with customs code CODE.\n", cli_enterprise_show},
    {"book open",
     "--book NO --enterprise CODE [--verify MODE] [--period-days N]\n"
     "                     [--usage general|repair]",
     "open an account book for an enterprise",
     "Opens an account book (e.g. an H-book) owned by an enterprise.\n"
     "\n"
     "  --book NO           book number, 12 characters, first letter B/C/E/H/T\n"
     "  --enterprise CODE   the owner's customs code\n"
     "  --verify MODE       unit | work-order | consumption (default: unit; work-order\n"
     "                      for a repair book)\n"
     "  --period-days N     verification period in days (default: the daemon's; a repair\n"
     "                      book's at most bzld.conf [zone] repair_cycle_days, 730)\n"
     "  --usage USAGE       general (default) or repair: a bonded repair book (保税维修),\n"
     "                      an H-book verified by work order\n",
     cli_book_open},
    {"book show", "NO", "show an account book",
     "Shows the account book numbered NO: owner, type (from the number's first letter),\n"
     "verify mode, status, verification period and the date its periods are closed\n"
     "through (empty, JSON null, when none is closed).\n",
     cli_book_show},
    {"book list", "[--enterprise CODE] [--csv]", "list account books",
     "Lists books in book order, following the daemon's pages to the end: book,\n"
     "enterprise, type, verify mode, status, period days and closed through. An\n"
     "enterprise principal sees its own books only.\n"
     "\n"
     "  --enterprise CODE   only this enterprise's books\n"
     "  --csv               CSV: a header row (the JSON keys), then a row per book\n"
     "\n"
     "TYPE is what the first letter says: B supplied-materials manual (来料加工手册),\n"
     "C imported-materials manual (进料加工手册), E processing e-book (加工贸易电子账册),\n"
     "H zone e-book (海关特殊监管区域电子账册), T bonded-logistics book (保税物流账册).\n"
     "JSON: an array of {\"book\", \"enterprise\", \"type\", \"verify\", \"status\",\n"
     "\"period_days\", \"closed_through\"} (closed_through null when none is closed).\n",
     cli_book_list},
    {"item add", "--book NO --kind KIND --seq N --hs HSCODE --name NAME --unit UNIT [--mode MODE]",
     "add a material or product item to a book",
     "Records an item (备案序号) of a book.\n"
     "\n"
     "  --book NO       book number\n"
     "  --kind KIND     material | product\n"
     "  --seq N         item number, 1 to 999999999\n"
     "  --hs HSCODE     HS code, 10 digits\n"
     "  --name NAME     goods name\n"
     "  --unit UNIT     customs unit code, e.g. 035 (kilogram)\n"
     "  --mode MODE     OEM | ODM | OBM, products only (optional)\n",
     cli_item_add},
    {"item show", "--book NO --kind KIND --seq N", "show one item of a book",
     "Shows item N of the given kind (material | product) in book NO.\n", cli_item_show},
    {"item list", "--book NO [--kind KIND] [--csv]", "list a book's items",
     "Lists the items (备案序号) of book NO in kind and item order, following the daemon's\n"
     "pages to the end: kind, item, HS code, name, unit and business mode.\n"
     "\n"
     "  --book NO     book number\n"
     "  --kind KIND   material | product (default: both)\n"
     "  --csv         CSV: a header row (the JSON keys), then a row per item\n"
     "\n"
     "JSON: an array of {\"book\", \"kind\", \"item\", \"hs\", \"name\", \"unit\", \"mode\"}\n"
     "(mode null for none).\n",
     cli_item_list},
    {"submit", "[--atomic] [--encoding ENC] FILE...",
     "submit declaration files (JSON or CSV); one result row per declaration",
     "Submits declaration files. Each FILE holds one declaration object or an array of\n"
     "them (JSON), or, when its name ends in .csv, a header row naming the fields and\n"
     "one row per declaration line with the declaration's columns repeated on each of\n"
     "its rows (CSV). CSV headers match the field names in any case, or their Chinese\n"
     "column names (编号 id, 料号/备案序号 item, 数量 qty, 单位 unit, 金额 value, 币制\n"
     "currency, ...; see bzl(1)). \"-\" reads standard input (shown as <stdin>; CSV unless\n"
     "it opens with { or [). A UTF-8 byte-order mark is accepted.\n"
     "\n"
     "Every field is checked before anything is sent: a file with any error sends\n"
     "nothing, and every error is listed as FILE:LINE: FIELD: reason (CSV) or\n"
     "FILE: decls[2].lines[0].qty: reason (JSON; decls[i] counts from 0); the other\n"
     "files still go. A code a spreadsheet stripped of its leading zeros (unit 7) is\n"
     "named with the code it likely was (007). Declarations travel in batches of at most\n"
     "1000 and each is accepted or refused on its own. The daemon's refusals are named\n"
     "the same way: the CSV row's line, or the JSON path of the field at fault.\n"
     "One row per declaration: file, at (a refusal's CSV line or JSON path), id, status,\n"
     "journal sequence, and \"replayed\" for one accepted before. A refusal's reason is\n"
     "said on stderr. A summary line ends every submit: declarations, OK, already\n"
     "recorded (the same id and content were accepted before), refused.\n"
     "\n"
     "  --atomic        send each FILE as one all-or-nothing batch: when the daemon\n"
     "                  refuses any declaration, none is committed and the others say\n"
     "                  ABORTED (a file must fit one request: 1000 declarations)\n"
     "  --encoding ENC  the files' encoding when not UTF-8, e.g. gb18030 for a CSV saved\n"
     "                  by Excel on Chinese Windows (converted with iconv)\n"
     "\n"
     "Declaration fields: id, enterprise, book, kind (material|product), direction\n"
     "(in|out), trade_mode, date (YYYY-MM-DD), lines; optional: pending (true|false),\n"
     "related_book, related_id, origin, duty_basis (material|product: a product sold\n"
     "at home), tax_date (a domestic sale's tax notice). Line fields: item (a number),\n"
     "qty, unit, value, currency; optional: usd, bom_version, mode (OEM|ODM|OBM),\n"
     "country, lots (a SPECIFIC book's outflow: [{\"receipt\": ID, \"line\": N, \"qty\":\n"
     "\"Q\"}]; CSV RECEIPT:LINE:QTY;...). Decimals are strings (\"qty\": \"20000.5\") so\n"
     "that they stay exact. Unknown fields are errors.\n"
     "\n"
     "JSON: an array of {\"file\", \"line\", \"path\", \"id\", \"status\", \"seq\",\n"
     "\"replayed\", \"message\"} (\"seq\" is null when refused; \"fault\" is added when the\n"
     "daemon points at a field); a file's own errors are objects {\"file\", \"status\":\n"
     "\"MALFORMED\", \"line\", \"path\", \"field\", \"message\"} in the same array; the\n"
     "summary line goes to stderr.\n"
     "Exit status: 0 all accepted or replayed, 1 any refused, 3 the daemon is unreachable,\n"
     "4 a bad file (the other files were still submitted).\n",
     cli_submit},
    {"balance", "--book NO [--kind KIND] [--item N]", "show the balances of a book's items",
     "Shows posted quantity and value, pending in and out, and the available balance\n"
     "(posted - pending out) per item, following the daemon's pages to the end.\n"
     "\n"
     "  --book NO     book number\n"
     "  --kind KIND   material | product (default: both)\n"
     "  --item N      only item N\n"
     "\n"
     "JSON: an array of {\"book\", \"kind\", \"item\", \"qty\", \"value\", \"pending_in\",\n"
     "\"pending_out\", \"available\"}, decimals as strings.\n",
     cli_balance},
    {"bom set",
     "--book NO --product N --material N --version V --net QTY --tangible-loss PCT "
     "--intangible-loss PCT [--bonded-share FRACTION] [--from DATE]",
     "set a consumption norm (单耗) of a product and material",
     "Records a BOM line: net consumption (净耗) of the material per unit of product, the\n"
     "tangible and intangible loss rates in percent and the bonded share (default 1). The\n"
     "daemon computes the unit consumption 单耗 = net / (1 - (tangible + intangible)/100),\n"
     "rounded half-up to 9 decimals. A version a declaration has used is immutable: set a\n"
     "new version instead. --from DATE: in force for declarations dated on or after it\n"
     "(default: always). Product outflows use the version their line names, else the\n"
     "latest in force on the declaration date.\n",
     cli_bom_set},
    {"bom list", "--book NO [--product N] [--csv]", "list a book's consumption norms",
     "Lists norms by product, version and material, with the computed unit consumption\n"
     "and whether a declaration has used (and so frozen) the version.\n",
     cli_bom_list},
    {"item mode", "--book NO --seq N --mode OEM|ODM|OBM --from DATE",
     "record a product's business-mode upgrade",
     "Records that product N is made under MODE from DATE on: an upgrade event; earlier\n"
     "events are kept, never overwritten.\n",
     cli_item_mode},
    {"post", "--enterprise CODE ID", "post (正式核扣) a pending declaration",
     "Turns a pending declaration's reservation into posted balances, scrap allowance and\n"
     "period totals. Posting a posted declaration again is a replay.\n",
     cli_post},
    {"void", "--enterprise CODE ID [--reason TEXT]",
     "delete a pending declaration before it is posted",
     "Releases a pending declaration's reservation (退单/删单 by the enterprise).\n", cli_void},
    {"reject", "--enterprise CODE ID --reason TEXT", "reject a pending declaration (customs)",
     "Customs refuses a pending declaration; its reservation is released.\n", cli_reject},
    {"reverse", "--enterprise CODE ID --reason TEXT", "reverse a posted declaration",
     "Journals the exact negation of a posted declaration's effects, referencing it, with\n"
     "the reason. A reversed declaration cannot be reversed again; one dated in a closed\n"
     "period cannot be reversed (use an adjustment).\n",
     cli_reverse},
    {"period close", "--book NO --through DATE [--force]", "close a book's periods through a date",
     "From now on every declaration, post, reversal or stocktake dated on or before DATE is\n"
     "refused with PERIOD_CLOSED. A period is never reopened, so a DATE after today (the\n"
     "daemon's local calendar) is refused with INVALID_ARGUMENT naming \"through\" unless\n"
     "--force is given. `bzl book show` prints the date a book is closed through.\n"
     "\n"
     "  --force   close through a date that has not come yet\n",
     cli_period_close},
    {"stocktake submit", "[--count-scrap] FILE", "record a stocktake (盘点) of a book",
     "FILE is JSON: {\"book\": NO, \"date\": \"YYYY-MM-DD\", \"lines\": [{\"kind\":\n"
     "\"material|product|wip|scrap\", \"item\": N, \"qty\": \"DEC\", \"bom_version\": V}]};\n"
     "or CSV when its name ends in .csv: a header naming book, date, kind, item, qty and\n"
     "bom_version (any case, or 账册号, 日期, 类型, 料号, 数量/盘点数量, 单耗版本号), then a\n"
     "row per line with the book and date repeated. A UTF-8 byte-order mark is accepted.\n"
     "Products and work in progress are converted to materials by the norm in force on the\n"
     "date; scrap on hand counts only with --count-scrap. Prints the counted materials.\n"
     "An enterprise's count is kept beside customs' count of the same date and never\n"
     "replaces it; reconcile uses customs' when there is one in the period.\n",
     cli_stocktake_submit},
    {"reconcile",
     "(--book NO | --all) --period P [--tolerance PCT]\n"
     "                     [--wide | --vertical] [--flagged] [--sort rate] [--csv]",
     "verify (核销) books over a period",
     "Per material: opening, every inflow and outflow category, consumption, tangible and\n"
     "intangible losses (each consuming line's own norm's, summed), adjustments, book\n"
     "balance (应剩余), counted (实际剩余, the latest customs stocktake in the period, else\n"
     "the latest enterprise stocktake; the footer says whose, per book), difference,\n"
     "rate (% of the book balance, 4 places) and a flag: within, shortage or surplus beyond\n"
     "the tolerance (default 0.5 %), uncounted, or negative_book when the book balance is\n"
     "below zero. P: YYYY-MM, YYYY-Qn, YYYY or DATE..DATE (whole months). Reads the monthly\n"
     "period totals, never the journal.\n"
     "\n"
     "The table fits 120 columns (CJK characters count 2; long names are cut with ~): book,\n"
     "item, name, unit, opening, in, out, consumption, book balance, counted, diff, rate %,\n"
     "flag. in = import + transfer_in + leftover_in + zone_transfer_in + return_in +\n"
     "low_value; out = reexport + domestic_sale + leftover_out + destroy + return_out +\n"
     "zone_transfer_out; consumption includes the losses; adjustments and scrap dispositions\n"
     "are in none of them (book balance = opening + in - out - consumption + adjust_up -\n"
     "adjust_down). The footer names each material beyond tolerance or below zero.\n"
     "\n"
     "  --wide        every category column: table, notes and CSV byte for byte as before\n"
     "                the 120-column view (no name, unit, in, out or counted_by); the\n"
     "                lines naming materials follow the old footer\n"
     "  --vertical    one block per material with every figure, like psql's \\x\n"
     "  --flagged     only shortages, surpluses, negative_book, and uncounted materials with\n"
     "                an opening or a movement in the period (an idle one is left out)\n"
     "  --sort rate   largest |difference rate| first; n/a last\n"
     "  --csv         the columns of the view chosen; with --vertical book,item,column,value\n"
     "  --all         every book, following the daemon's pages (--page-books N, 1..64)\n"
     "\n"
     "--json prints every column whatever the view (--flagged and --sort still apply).\n"
     "Exit status 5: the output is complete and some material of the answer, shown or\n"
     "not, is a shortage or surplus beyond tolerance or has a book balance below zero.\n"
     "1-4 are failures, as for every command, and win over 5.\n",
     cli_reconcile},
    {"workorder open", "--book NO --item N --origin abroad|outside --date DATE [--csv]",
     "open a repair work order for one unit awaiting repair",
     "Opens a work order on a repair book (book open --usage repair) for one unit of product\n"
     "item N received for repair from abroad or from outside the zone (1371). Refused when\n"
     "no unit of the item from that origin awaits repair without a work order already.\n"
     "Prints the work order with its number.\n",
     cli_workorder_open},
    {"workorder complete",
     "--book NO --workorder N (--repaired | --unrepairable) --date DATE\n"
     "                     [--materials ITEM=QTY,...] [--parts ITEM=QTY,...] [--csv]",
     "complete a work order: repaired or unrepairable, materials used, parts out",
     "Completes an open work order: its unit moves from awaiting repair to repaired (or\n"
     "unrepairable), the repair materials it used are consumed as used (据实, not by norm),\n"
     "and the old or broken parts it took out are generated, kept by the origin of the\n"
     "goods. A part is generated only where a new one was used: at most the quantity of\n"
     "the same material item. --materials and --parts take ITEM=QTY lists (commas or\n"
     "spaces) and may be repeated.\n",
     cli_workorder_complete},
    {"workorder list", "--book NO [--csv]", "list a repair book's work orders",
     "Lists work orders in number order: item, origin, state, dates, materials and parts.\n",
     cli_workorder_list},
    {"workorder show", "--book NO --workorder N [--csv]", "show one work order", "",
     cli_workorder_show},
    {"repair overdue", "[--book NO] [--as-of DATE] [--csv]",
     "list old parts past or near their disposal limit",
     "Ages each repair book's old parts first in first out (disposals take the oldest work\n"
     "orders' parts first) against the zone's disposal period (bzld.conf [zone]\n"
     "repair_disposal_days) and lists the lots still on hand that are past it or within\n"
     "repair_warn_days of it. --as-of defaults to the daemon's today.\n",
     cli_repair_overdue},
    {"rates set", "--month YYYY-MM --currency CODE --cny RATE", "set a monthly customs rate",
     "RATE is CNY per unit of the currency (e.g. 502 USD at 7.1). USD statistics convert\n"
     "through CNY with the month's rates.\n",
     cli_rates_set},
    {"rates list", "[--month YYYY-MM] [--csv]", "list exchange rates",
     "Lists the recorded customs rates: month, currency code, its ISO code and CNY per unit.\n",
     cli_rates_list},
    {"trade record", "--month YYYY-MM --currency CODE --exports DEC --imports DEC",
     "record the zone's non-bonded (general) trade of a month",
     "Used by the processing-trade share report (the zone plan targets at least 30 %).\n",
     cli_trade_record},
    {"report var", "--period P [--by enterprise|product|mode|area|zone] [--exclude-transfers]",
     "value-added ratio (加工贸易增值率)",
     "E = product exports (+ deep-processing transfers out), I = material imports (+\n"
     "transfers in) in USD; (E-I)/I x 100 and (E-I)/E x 100, 4 places, n/a for a zero\n"
     "divisor. --exclude-transfers counts exports and imports only. --by product: I is\n"
     "the materials the product's norm consumed for its E quantity, at each material's\n"
     "average import unit value in the period (README \"Value-added ratio\").\n",
     cli_report},
    {"report modes", "--period P [--granularity month|quarter|year] [--csv]",
     "OEM/ODM/OBM mix of export value per enterprise and zone",
     "Export value by business mode per enterprise and bucket (default: quarter), with a\n"
     "ZONE row per bucket that is the sum of its enterprise rows as printed.\n",
     cli_report},
    {"report upgrades", "--from P --to P [--csv]",
     "dominant modes in two periods, mode events and the transition matrix",
     "The dominant business mode of every product, enterprise and the zone in the period\n"
     "--from and in the period --to, and the change: upgrade, downgrade, same, or new for\n"
     "one absent from the first period. --from must not be after --to.\n",
     cli_report},
    {"report share", "--period P [--granularity month|quarter|year] [--csv]",
     "processing-trade share of the zone's trade per month",
     "Bonded processing trade (E + I) against general trade per bucket (default: month)\n"
     "and in total; the total adds the rows as printed.\n",
     cli_report},
    {"report tax", "--period P [--by enterprise|item|month]",
     "duty, excise, VAT and 缓税利息 assessed on domestic sales",
     "Sums the assessments dated in the period (docs/TAX.md) per group and basis\n"
     "(ordinary, product, material, scrap): customs value, duty, excise, VAT, interest\n"
     "and payable, in CNY. Reversed and incomplete assessments are counted in a note, not\n"
     "in the rows; the rows sum to the total the note gives. --by item puts each taxed\n"
     "part under its item and the interest, which belongs to the sale, in a row of its own.\n",
     cli_report_tax},
    {"tariff set", "--hs CODE --from DATE --duty PCT [--vat PCT] [--excise PCT]",
     "set an HS code's tax rates from a date",
     "Rates are percentages (duty 0-1000, VAT 0-100, default 13; excise 0 to below 100,\n"
     "default 0). A row is in force from its date until the code's next row; assessments\n"
     "take the row in force on the assessment date. Journaled; customs and admin only.\n",
     cli_tariff_set},
    {"tariff list", "[--hs CODE]", "list tariff rows in (hs, from) order", "", cli_tariff_list},
    {"interest set", "--from DATE --rate PCT", "set the 缓税利息 rate (annual percent) from a date",
     "Adds to the built-in PBOC demand-deposit history, or replaces its row of the same\n"
     "date. The rate in force on the assessment date applies to the whole interest period\n"
     "(海关总署公告2009年第13号). Journaled; customs and admin only.\n",
     cli_interest_set},
    {"interest list", "", "list the 缓税利息 rate history, built-in and set", "",
     cli_interest_list},
    {"tax show", "--enterprise CODE ID", "show the tax assessed on a domestic sale",
     "One row per taxed part (a material the sale embodies, a line, or the goods as\n"
     "presented) with its HS code, quantity, value, rate, customs value, the tax rates and\n"
     "duty, excise and VAT; then a total row with the interest base, days, rate, 缓税利息\n"
     "and the payable. Notes say the basis, the assessment date, the interest window and\n"
     "any exemption. A sale whose rate, tariff or value was missing when posted shows why\n"
     "and no figures. Only posted domestic sales (0245/0644, 0444/0445/5000, scrap\n"
     "0844/0845/5200) are assessed.\n",
     cli_tax_show},
    {"tax compare", "--enterprise CODE ID",
     "both bases of the zone's selective duty for a domestic sale, side by side",
     "For a product sold from a zone (H) book: the material basis (duty on the embodied\n"
     "materials, interest on the duty) and the product basis (everything on the goods as\n"
     "presented, no interest), computed now at the declaration's dates. Elsewhere the one\n"
     "basis the sale has.\n",
     cli_tax_compare},
    {"tax quote", "[--encoding ENC] FILE",
     "every basis of a domestic sale not sent yet, side by side",
     "Reads FILE (a declaration file of one domestic sale, JSON or CSV, as `bzl submit`\n"
     "reads it) and shows what it would be assessed on each basis, as `tax compare`\n"
     "does for a sent one, computed now from the tables as they stand. The daemon checks\n"
     "it as it would a submission (the book, the flow, duty_basis, lots) but stores\n"
     "nothing: no journal entry, no reservation. Exit 4 for a file with errors.\n",
     cli_tax_quote},
    {"lots",
     "--book NO [--kind material|product] [--item N] [--as-of DATE] [--ageing [--buckets "
     "D,D,..]] [--csv]",
     "list a book's open lots with their age",
     "Lots (next-wave.md E.4) are the enterprise's evidence under the customs ledger:\n"
     "every posted receipt opens one (the entry, its date, quantity and value), every\n"
     "outflow consumes them by the book's method (FIFO by receipt date by default,\n"
     "AVERAGE pro rata, SPECIFIC the lots the declaration names, FIFO for a line naming\n"
     "none). For every item the open lots sum to the balance, which `bzl verify` proves.\n"
     "Columns: kind, item, entry, received, age_days (to --as-of, default today),\n"
     "received_qty, remaining, value, remaining_value, receipt and line (what a SPECIFIC\n"
     "outflow names: \"lots\": [{\"receipt\": ID, \"line\": N, \"qty\": \"Q\"}]), currency, usd,\n"
     "origin. --item alone means a material. --ageing sums every open lot per item into\n"
     "age buckets instead (kind, item, bucket, lots, remaining); --buckets sets their\n"
     "upper bounds in days (default 90,180,365; older lots fall in a last bucket).\n",
     cli_lots},
    {"lots-method", "--book NO --method FIFO|SPECIFIC|AVERAGE",
     "set how a book's lots are consumed, at a verification boundary",
     "Refused (STATE_CONFLICT) once the book moved lots after its last period close: the\n"
     "method changes only between verification cycles (E.4 (3)). Journaled (entry 17).\n",
     cli_lots_method},
    {"history", "--book NO --kind material|product --item N [--from DATE] [--to DATE] [--csv]",
     "list the journal lines of one item with running balances",
     "One row per journal entry that moved the item: sequence, date, declaration id,\n"
     "flow, entry (declaration, post, void, reject, reverse), the posted and pending\n"
     "quantity deltas, and the posted balance after it. An item that does not exist is\n"
     "NOT_FOUND; --from after --to is INVALID_ARGUMENT (an empty range), not an empty table.\n",
     cli_history},
    {"declaration show", "--enterprise CODE ID", "show one declaration, its lines and history",
     "Shows the declaration: a header line (enterprise, book, state, flow, kind and\n"
     "direction, trade mode, date), then three tables: the declared lines (item, qty,\n"
     "unit, value, currency, BOM version), the history (each journal entry: the\n"
     "declaration, then its post, void, reject or reverse, with time in UTC, the uid and\n"
     "role that wrote it and the reason given) and the exact effects each entry applied;\n"
     "for a declaration imported from a 核注清单, a fourth table of the list's own fields\n"
     "(line - for the header; docs/INV101.md).\n"
     "\n"
     "JSON: {\"id\", \"enterprise\", \"book\", \"trade_mode\", \"date\", \"state\", \"flow\",\n"
     "\"kind\", \"direction\", \"related_book\", \"related_id\", \"lines\": [{\"line\", \"item\",\n"
     "\"qty\", \"unit\", \"value\", \"currency\", \"usd\", \"bom_version\", \"mode\", "
     "\"country\", \"list_fields\"}],\n"
     "\"entries\": [{\"seq\", \"type\", \"reason\", \"effects\", \"uid\", \"role\", "
     "\"time\", \"time_ms\"}], \"list_fields\": {ELEMENT: text}}.\n",
     cli_declaration_show},
    {"declaration list",
     "[--state STATE] [--enterprise CODE] [--book NO] [--from DATE]\n"
     "                            [--to DATE] [--trade-mode CODE] [--older-than DAYS] [--csv]",
     "the queue: declarations, oldest submitted first",
     "Lists declarations in the order they were submitted, oldest first (the daemon's\n"
     "journal order; a declaration dated earlier but submitted later comes later),\n"
     "following the daemon's pages to the end: id, enterprise, book, date, trade mode,\n"
     "flow, lines, state now and age. An enterprise principal sees its own only.\n"
     "\n"
     "  --state STATE       pending | posted | rejected | voided | reversed |\n"
     "                      draft\n"
     "  --enterprise CODE   only this enterprise's\n"
     "  --book NO           only this book's\n"
     "  --from DATE         declared on or after DATE (YYYY-MM-DD)\n"
     "  --to DATE           declared on or before DATE\n"
     "  --trade-mode CODE   only this trade mode (监管方式, 4 digits)\n"
     "  --older-than DAYS   only those submitted more than DAYS days ago\n"
     "  --csv               CSV: a header row (the JSON keys), then a row per declaration\n"
     "\n"
     "AGE_DAYS is whole days since the declaration was submitted (the time of its journal\n"
     "entry, not its declared date), rounded down, by this machine's clock: 0 for one\n"
     "submitted in the last 24 hours. The pending queue: --state pending.\n"
     "JSON: an array of {\"seq\", \"id\", \"enterprise\", \"book\", \"date\", \"trade_mode\",\n"
     "\"flow\", \"kind\", \"direction\", \"lines\", \"state\", \"age_days\", \"submitted\",\n"
     "\"submitted_ms\"}.\n",
     cli_declaration_list},
    {"transfers unmatched", "[--enterprise CODE] [--csv]",
     "list transfers whose halves do not match",
     "Deep-processing, leftover and in-zone transfer declarations whose counterpart\n"
     "(related_book, related_id) is missing, names another declaration, was voided,\n"
     "rejected or reversed, or has other lines: the n-th line of one half is matched with\n"
     "the n-th of the other and quantities are compared as declared, so WHY names the\n"
     "first line whose quantities differ with both quantities, or both line counts.\n",
     cli_transfers_unmatched},
    {"transfers report", "[--counterpart NO] [--as-of DATE] [--csv]",
     "deliveries against transfer declarations, aged (90-day rule)",
     "Per (book, counterpart book, kind, item): delivered (deliveries - returns), declared\n"
     "(posted deep-processing transfer declarations naming the counterpart), delivered not\n"
     "declared (已交货未结转), declared not delivered (已结转未交货), the oldest delivery not\n"
     "wholly declared and its age, and the quantity of deliveries undeclared beyond the\n"
     "zone's limit (bzld.conf [zone] transfer_declare_days, 90), flagged. Declarations cover\n"
     "deliveries oldest first; a return takes back the latest deliveries. kind product: the\n"
     "sending side; kind material: the receiving side. --as-of defaults to today.\n",
     cli_transfers_report},
    {"delivery record",
     "--book NO --counterpart-book NO --kind product|material --item N --qty DEC\n"
     "                     --date DATE [--return] [--csv]",
     "record a transfer delivery (or a return) on one side",
     "Records one batch of a deep-processing transfer in the delivery register of one side,\n"
     "apart from declarations: the sending side records the product it delivered (--kind\n"
     "product), the receiving side the material it received (--kind material); --return\n"
     "records goods sent back (退货), refused beyond what was delivered by its date.\n",
     cli_delivery_record},
    {"scrap", "--book NO [--item N] [--csv]", "show the scrap (边角料) allowance per material",
     "The tangible-loss allowance consumption generated, what scrap dispositions used,\n"
     "and what remains, per material item. --item naming no material of the book is\n"
     "NOT_FOUND, not an empty table.\n",
     cli_scrap},
    {"stats", "[--prometheus]", "show the daemon's counters",
     "Shows request counts by kind and status, commit and declaration counters, map usage,\n"
     "queue depth, and the distributions of declarations per commit and of commit latency.\n"
     "JSON: one object of counters.\n"
     "  --prometheus   print the Prometheus text exposition format instead (for a scraper\n"
     "                 such as node_exporter's textfile collector)\n",
     cli_stats},
    {"verify", "[--checkpoint FILE...] [--public-key KEY]",
     "prove the journal: hash chain, balances, derived tables and kept checkpoints",
     "Walks the journal's hash chain (each entry's BLAKE2b hash covers the previous hash\n"
     "and the entry), recomputes every balance from the journal and checks each item's\n"
     "history against it, and recomputes every table the reports read: period totals,\n"
     "trade values, stocktakes, closings, rates and general trade. Prints OK with the\n"
     "number of entries and the head hash, or the first broken sequence, or the first\n"
     "differing record: BROKEN: TABLE KEY: FIELD stored X but recomputed from the journal Y.\n"
     "The chain alone cannot tell a consistent rewrite or a rollback (an older backup put\n"
     "back) from the real history; checkpoints kept outside the box can (docs/DURABILITY.md).\n"
     "\n"
     "  --checkpoint FILE...  also prove the journal extends each checkpoint file (made by\n"
     "                     bzl checkpoint): its signature holds, the journal's entry at its\n"
     "                     sequence has its hash, the head is at or after it. Prints one line\n"
     "                     per file: CHECKPOINT OK FILE: ... or CHECKPOINT BROKEN FILE: why\n"
     "                     (hash differs at seq N; chain shorter than seq N: a rollback; bad\n"
     "                     signature)\n"
     "  --public-key KEY     the key the checkpoints must be signed by: 64 hex digits or a file\n"
     "                     holding them (bzl checkpoint --public-key); default: the daemon's\n"
     "                     current key\n"
     "\n"
     "Customs, reconciler and admin only.\n"
     "JSON: {\"ok\", \"status\", \"entries\", \"head_seq\", \"head_hash\", \"first_bad_seq\",\n"
     "\"chain_problem\", \"items\", \"declarations\", \"balance_problem\"} and, with\n"
     "--checkpoint, \"checkpoints\": [{\"file\", \"ok\", \"seq\", \"head_seq\", \"problem\"}].\n"
     "Exit status: 0 the ledger verifies and extends every checkpoint, 1 it does not (or the\n"
     "request was refused), 4 a checkpoint file is unreadable or malformed.\n",
     cli_verify},
    {"checkpoint", "[--public-key]", "print the journal's head signed by the daemon",
     "Asks the daemon for a checkpoint: the journal's last sequence and hash and the time,\n"
     "signed with its Ed25519 checkpoint key (bzld.conf(5) checkpoint_key), and prints it\n"
     "as six lines to keep somewhere the ledger's host cannot write:\n"
     "  bzl-checkpoint: 1\n"
     "  seq: N\n"
     "  hash: 64 hex digits\n"
     "  time: YYYY-MM-DDTHH:MM:SS.mmmZ\n"
     "  public-key: 64 hex digits\n"
     "  signature: 128 hex digits (Ed25519 over docs/DURABILITY.md's 65 bytes)\n"
     "Later, bzl verify --checkpoint FILE proves the journal still extends it.\n"
     "\n"
     "  --public-key   print only the daemon's public key (keep it with the checkpoints)\n"
     "\n"
     "Customs, reconciler and admin only. JSON: {\"seq\", \"hash\", \"time\", \"time_ms\",\n"
     "\"public_key\", \"signature\", \"text\"} (text: the six lines).\n",
     cli_checkpoint},
    {"audit",
     "[--since DATE|SEQ] [--until DATE|SEQ] [--uid N] [--enterprise CODE]\n"
     "                 [--book NO] [--action TYPE] [--csv]",
     "list who did what",
     "Lists journal entries, one line each: sequence, time (UTC), uid, role, pid, request\n"
     "id, type and a summary that names what the entry touched and, for a void, reject or\n"
     "reversal, the reason (\"reverse ID of ENTERPRISE book BOOK: reason\"), following the\n"
     "daemon's pages to the end.\n"
     "\n"
     "  --since DATE|SEQ   from that day (YYYY-MM-DD, UTC) or that sequence on\n"
     "  --until DATE|SEQ   through that day or that sequence\n"
     "  --uid N            only entries made by uid N\n"
     "  --enterprise CODE  only entries about that enterprise's records\n"
     "  --book NO          only entries about that book's records\n"
     "  --action TYPE      only entries of that type: enterprise, book, item, declaration,\n"
     "                     post, void, reverse, period_close, norm, item_mode, reject,\n"
     "                     stocktake, rate, trade, workorder_open, workorder_complete,\n"
     "                     delivery, tax_table, assessment, lot_method, receipt\n"
     "  --csv              CSV: a header row (the table's columns in lower case), then a\n"
     "                     row per entry\n"
     "\n"
     "Customs, reconciler and admin only. JSON: an array of {\"seq\", \"time\", \"time_ms\",\n"
     "\"uid\", \"gid\", \"role\", \"pid\", \"request_id\", \"type\", \"summary\"}.\n",
     cli_audit},
    {"journal", "[--since SEQ] [--follow] [--json]",
     "stream the journal: every entry with its hashes and content",
     "Prints the journal entries after sequence SEQ (0, the default, for all of them), oldest\n"
     "first, one a line: sequence, time (UTC), type, the start of its hash and a summary.\n"
     "With --json each line is one JSON object (JSON lines) with the whole entry: seq, hash\n"
     "and prev_hash (hex: each hash covers the previous one and the entry), time_ms, type,\n"
     "uid, role, request_id, enterprise, book, summary, and the content of its type: the\n"
     "declaration with its lines, flow and line_modes; ref_seq, id and reason of a post,\n"
     "void, reject or reversal; the effects and their month; the enterprise record, item,\n"
     "date, currency, cny, exports, imports; values, the posted value the effects moved\n"
     "per currency. Fields at their default are left out.\n"
     "To resume, pass the last sequence you hold. docs/WAREHOUSE.md describes the stream.\n"
     "\n"
     "  --since SEQ   the entries after SEQ\n"
     "  --follow      at the end, wait for new entries and print them as they are committed\n"
     "                (until interrupted)\n"
     "\n"
     "Customs, reconciler and admin only. Exit status 1 when the journal has no entry SEQ\n"
     "(it is shorter: another zone, or one restored from an older backup).\n",
     cli_journal},
    {"inv101 check", "FILE... [--json]",
     "check 核注清单 (INV101) files against the message's rules, before they are filed",
     "Reads each INV101 file (a Package, or the customs client's xmldsig Signature around\n"
     "one) and checks every field of the header (InvtHeadType) and of each line\n"
     "(InvtListType): required fields, lengths, digits, dates (yyyyMMdd), decimals (at most\n"
     "5 for quantities, 4 for the unit price, 2 for the total), the code tables, and the\n"
     "rules between fields: 报关 linkage and its parties, a change's SeqNo and count, a\n"
     "transfer's counterpart book and list, the second legal unit with its quantity,\n"
     "|DclQty x DclUprcAmt - DclTotalAmt| <= 0.01, the list number's shape. Each problem is\n"
     "printed as FILE:LINE: PATH: message, PATH naming the element (InvtListType[3]/DclQty).\n"
     "Files with a DOCTYPE are refused unread. docs/INV101.md lists every field and rule\n"
     "with its source. Needs no daemon.\n"
     "\n"
     "JSON: an array of {\"file\", \"ok\", \"list\", \"book\", \"lines\", \"draft\",\n"
     "\"problems\": [{\"line\", \"path\", \"message\"}]}. Exit status 4 when any file has a\n"
     "problem or cannot be read.\n",
     cli_inv101_check},
    {"inv101 import", "FILE|FOLDER... [--json]",
     "submit 核注清单 (INV101) files as declarations, every field kept",
     "Reads each INV101 file (a folder: every *.xml in it, in name order), checks it as\n"
     "`inv101 check` does, and submits it as a pending declaration: EtpsInnerInvtNo is the\n"
     "declaration id (the idempotency key), BizopEtpsno the enterprise, PutrecNo the book,\n"
     "MtpckEndprdMarkcd/ImpexpMarkcd the kind and direction, SupvModecd the trade mode,\n"
     "InvtDclTime the date; a line's PutrecSeqno is the item, DclQty/DclUnitcd the quantity\n"
     "and unit, DclTotalAmt/DclCurrcd the value, Natcd the country, UcnsVerno the BOM\n"
     "version. Every other field is kept on the declaration as the list had it (declaration\n"
     "show lists them; docs/INV101.md maps each). A file already imported with the same\n"
     "content is replayed, not an error, so re-running over a folder is safe. Every problem,\n"
     "the daemon's refusals included, is printed as FILE:LINE: PATH: message, PATH naming\n"
     "the element (InvtListType[3]/DclQty). Lists go to bzld in batches of up to 256,\n"
     "each accepted or refused on its own. A draft (DelcareFlag 0) is stored in state\n"
     "draft, moving no balance; a later list under its EtpsInnerInvtNo replaces it. A\n"
     "change (DclTypecd 2, ChgTmsCnt one more than the current version's) replaces a\n"
     "pending or draft list; a deletion (DclTypecd 3) voids it; for a posted list both\n"
     "are refused naming bzl reverse. Ends with a summary line.\n"
     "\n"
     "JSON: {\"files\": [{\"file\", \"list\", \"outcome\" (imported, replayed,\n"
     "declared, saved again, changed, deleted, refused), \"seq\", \"problems\":\n"
     "[{\"line\", \"path\", \"message\"}]}],\n"
     "\"imported\", \"replayed\", \"refused\"}. Exit status 4 when a file has a problem,\n"
     "1 when the daemon refused a list, 3 when it cannot be reached.\n",
     cli_inv101_import},
    {"inv101 export", "--enterprise CODE ID [--out FILE]",
     "write a declaration as a 核注清单 (INV101) file for the customs client",
     "Reads the declaration and writes it as an INV101 Package (UTF-8, no signature: the\n"
     "customs client signs) on stdout or into FILE: its core fields as their elements and\n"
     "every kept list field as it was imported, so exporting an imported list gives the\n"
     "same fields and values. A declaration that was not imported from a list lacks\n"
     "fields the message requires: the file is written, the missing fields are listed\n"
     "and the exit status is 4.\n",
     cli_inv101_export},
    {"receipt import", "FILE...|DIR... [--enterprise CODE] [--list ID] [--json]",
     "apply customs receipts (import receipt, INV201, INV202, INV211) to their lists",
     "Reads each receipt file from the customs client's in-box (a folder takes its files in\n"
     "name order) and applies it to its list, a declaration whose id is the list's\n"
     "EtpsInnerInvtNo: the import receipt (CommonResponeMessage: SeqNo, DealFlag), INV201\n"
     "(HdeApprResult manageResult Y/1/2/3/4/5 with BondInvtBsc), INV202 (InvApprResult:\n"
     "entrySeqNo) and INV211 (BondInvtBsc with the BwsDt book lines after posting). Each\n"
     "moves the list through next-wave.md A.6 (docs/INV101.md \"Receipts\"): 4 pre-deducted\n"
     "keeps the declaration pending, 1 deducted (or INV211) posts it, 3 returned rejects it\n"
     "and releases what it held; the others are recorded. Customs' values are kept exactly\n"
     "as sent (bzl declaration show). A receipt applied before changes nothing. Prints one\n"
     "line per file: FILE: RECEIPT for list ID of ENTERPRISE: FROM -> TO, declaration\n"
     "STATE; a problem as FILE:LINE: PATH: message. Files with a DOCTYPE are refused unread.\n"
     "\n"
     "  --enterprise CODE  the list's enterprise when the receipt does not name it (the\n"
     "                     import receipt and INV202 carry no BondInvtBsc/bizopEtpsno)\n"
     "  --list ID          the list (declaration id) of the one file given, when its own\n"
     "                     number is not the EtpsInnerInvtNo (EtpsPreentNo of an import\n"
     "                     receipt); INV202 names its list by SeqNo only\n"
     "\n"
     "Customs and admin only. JSON: an array of {\"file\", \"ok\", \"message\", \"code\",\n"
     "\"enterprise\", \"list\", \"previous\", \"state\", \"ledger_state\", \"replayed\", \"seq\",\n"
     "\"ledger_seq\"} or {\"file\", \"ok\", \"status\", \"error\"} or {\"file\", \"ok\",\n"
     "\"problems\"}. Exit status 1 when bzld refused a receipt (NOT_FOUND: no such list;\n"
     "STATE_CONFLICT: A.6 does not allow it), 4 when a file is unreadable or no receipt.\n",
     cli_receipt_import},
    {"receipt diff", "[--book NO] [--csv]",
     "list the INV211 book lines that disagree with bzl's balances",
     "Compares each book item's latest INV211 book line (BwsDt) with bzl's posted quantity\n"
     "on hand and lists every item where they differ: book, kind, item, the customs figure\n"
     "(inQty as customs sent it, or actlIncQty - actlRedcQty: bzld.conf [receipts]\n"
     "diff_figure), bzl's,\n"
     "the difference (customs - bzl), the list whose INV211 sent it and its journal entry;\n"
     "a line whose figures are not decimals is listed with a note. Matching items are not\n"
     "listed. The nightly report lists the same as exceptions.\n"
     "\n"
     "  --book NO   only that book's items\n"
     "  --csv       CSV: a header row (the columns in lower case), then a row per item\n"
     "\n"
     "Customs, reconciler and admin only. JSON: an array of {\"book\", \"kind\", \"item\",\n"
     "\"customs_qty\", \"bzl_qty\", \"difference\", \"list\", \"enterprise\", \"seq\",\n"
     "\"note\"}.\n",
     cli_receipt_diff},
    {"backup", "--out FILE | --out-dir DIR",
     "make a consistent, compacted copy of the ledger while it keeps working",
     "Asks the daemon for a hot backup: one consistent snapshot, compacted, written while\n"
     "writes go on. The daemon writes the file itself (so it must be able to write there),\n"
     "through a temporary name, and never overwrites: an existing FILE is refused with\n"
     "ALREADY_EXISTS. The copy is reopened and its journal counted before it is named.\n"
     "\n"
     "  --out FILE      the backup file (relative paths are taken from here)\n"
     "  --out-dir DIR   write DIR/bzl-YYYYmmdd-HHMMSS.mdb (local time)\n"
     "\n"
     "Restore: stop bzld, put the file as data.mdb in an empty directory, start bzld\n"
     "with --data on that directory.\n"
     "JSON: {\"path\", \"bytes\", \"journal_entries\"}.\n",
     cli_backup},
};

static const char usage_head[] =
    "usage: bzl [--socket PATH] [--json] [--timeout SECONDS] COMMAND [ARGS...]\n"
    "       bzl --version\n"
    "\n"
    "bzl talks to bzld, the bonded-zone processing-trade ledger.\n";

static const char usage_tail[] =
    "\n"
    "Exit status: 0 success, 1 the daemon refused something, 2 usage error,\n"
    "3 cannot reach the daemon, no answer within --timeout, or a garbled reply,\n"
    "4 a bad input file,\n"
    "5 reconcile found a material beyond tolerance or below zero.\n"
    "Run 'bzl COMMAND --help' (or 'bzl help COMMAND') for a command's options.\n";

/* ---- help -------------------------------------------------------------------------------- */

static void
common_options_print(FILE *out)
{
    fprintf(out,
            "  --json          print one JSON document instead of a table\n"
            "  --socket PATH   the daemon's socket (default: %s;\n"
            "                  $BZL_SOCKET overrides)\n"
            "  --timeout SECONDS\n"
            "                  how long each call waits for bzld (default %u, 0 for ever;\n"
            "                  $BZL_TIMEOUT sets it); no answer in time is exit status 3\n"
            "  -h, --help      show this help\n",
            bzl_client_default_socket(), CLI_TIMEOUT_S_DEFAULT);
}

static void
usage_print(FILE *out)
{
    fputs(usage_head, out);
    fputs("\nCommands:\n", out);
    for (size_t i = 0; i < BZL_ARRAY_LEN(commands); i++) {
        fprintf(out, "  %-17s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(out, "  %-17s %s\n", "help [COMMAND]", "show this text or a command's help");
    fputs("\nGlobal options (also accepted after the command):\n", out);
    common_options_print(out);
    fputs(usage_tail, out);
}

void
cli_cmd_help(const cli_cmd *cmd)
{
    printf("usage: bzl %s%s%s\n\n", cmd->name, cmd->synopsis[0] != '\0' ? " " : "", cmd->synopsis);
    fputs(cmd->body, stdout);
    fputs("\nCommon options:\n", stdout);
    common_options_print(stdout);
}

/* The length of the first word of a command name (up to the space or the end). */
static size_t
group_len(const char *name)
{
    return strcspn(name, " ");
}

/* True when word is the first word of a two-word command ("enterprise"). */
static bool
is_group(const char *word)
{
    bool found = false;
    for (size_t i = 0; i < BZL_ARRAY_LEN(commands) && !found; i++) {
        size_t len = group_len(commands[i].name);
        found = commands[i].name[len] == ' ' && strlen(word) == len &&
                strncmp(commands[i].name, word, len) == 0;
    }
    return found;
}

static void
group_help(const char *group, FILE *out)
{
    fprintf(out, "usage: bzl %s SUBCOMMAND [OPTIONS]\n\nSubcommands:\n", group);
    for (size_t i = 0; i < BZL_ARRAY_LEN(commands); i++) {
        size_t len = group_len(commands[i].name);
        if (strlen(group) == len && strncmp(commands[i].name, group, len) == 0) {
            fprintf(out, "  %-17s %s\n", commands[i].name, commands[i].summary);
        }
    }
    fprintf(out, "\nRun 'bzl %s SUBCOMMAND --help' for its options.\n", group);
}

/* The command named by one word (w2 NULL) or two; NULL when there is none. */
static const cli_cmd *
cmd_find(const char *w1, const char *w2)
{
    const cli_cmd *found = NULL;
    for (size_t i = 0; i < BZL_ARRAY_LEN(commands) && found == NULL; i++) {
        const char *name = commands[i].name;
        size_t len = group_len(name);
        bool first = strlen(w1) == len && strncmp(name, w1, len) == 0;
        if (first && w2 == NULL && name[len] == '\0') {
            found = &commands[i];
        } else if (first && w2 != NULL && name[len] == ' ' && strcmp(name + len + 1, w2) == 0) {
            found = &commands[i];
        }
    }
    return found;
}

/* ---- option helpers shared by every command ---------------------------------------------- */

int
cli_usage_error(const cli_cmd *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bzl %s: ", cmd->name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'bzl %s --help'.\n", cmd->name);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

void
cli_opts_begin(void)
{
    /* GNU getopt keeps hidden state (permutation, the position inside "-abc"); only
     * optind = 0 resets all of it, where optind = 1 would not. */
    optind = 0;
    opterr = 0;
}

/* The option getopt just refused, as the user typed it. */
static const char *
bad_option(int argc, char **argv, char *buf, size_t cap)
{
    const char *arg = optind >= 1 && optind <= argc ? argv[optind - 1] : "";
    if (strncmp(arg, "--", 2) == 0) {
        snprintf(buf, cap, "%.*s", (int)strcspn(arg, "="), arg);
    } else if (optopt > 0 && optopt < 0x80) {
        snprintf(buf, cap, "-%c", optopt);
    } else {
        snprintf(buf, cap, "%s", arg);
    }
    return buf;
}

int
cli_next_opt(cli *c, const cli_cmd *cmd, int argc, char **argv, const struct option *opts,
             int *exit_out)
{
    char buf[64];
    int opt;
    /* Bounded by argc: every getopt_long call consumes at least one option or ends. */
    for (;;) {
        opt = getopt_long(argc, argv, ":h", opts, NULL);
        if (opt == CLI_OPT_JSON) {
            c->json = true;
        } else if (opt == CLI_OPT_SOCKET) {
            c->socket_path = optarg;
        } else if (opt == CLI_OPT_TIMEOUT &&
                   !cli_parse_u32(optarg, 0, CLI_TIMEOUT_S_MAX, &c->timeout_s)) {
            *exit_out = cli_usage_error(
                cmd, "--timeout takes whole seconds from 0 (no limit) to %u", CLI_TIMEOUT_S_MAX);
            return CLI_OPTS_STOP;
        } else if (opt == CLI_OPT_TIMEOUT) {
            continue;
        } else {
            break;
        }
    }
    if (opt == 'h' || opt == CLI_OPT_HELP) {
        cli_cmd_help(cmd);
        *exit_out = CLI_EXIT_OK;
        opt = CLI_OPTS_STOP;
    } else if (opt == '?' && optopt != 0 && optind >= 1 && optind <= argc &&
               strncmp(argv[optind - 1], "--", 2) == 0 && strchr(argv[optind - 1], '=') != NULL) {
        /* getopt names a known long option in optopt when it was given a value it takes not */
        *exit_out = cli_usage_error(cmd, "option '%s' takes no value",
                                    bad_option(argc, argv, buf, sizeof buf));
        opt = CLI_OPTS_STOP;
    } else if (opt == '?') {
        *exit_out =
            cli_usage_error(cmd, "unknown option '%s'", bad_option(argc, argv, buf, sizeof buf));
        opt = CLI_OPTS_STOP;
    } else if (opt == ':') {
        *exit_out = cli_usage_error(cmd, "option '%s' needs a value",
                                    bad_option(argc, argv, buf, sizeof buf));
        opt = CLI_OPTS_STOP;
    }
    return opt;
}

int
cli_opts_end(const cli_cmd *cmd, int argc, char **argv, int opt, int stop, int rc)
{
    if (rc == CLI_GO_ON && opt == CLI_OPTS_STOP) {
        rc = stop;
    }
    if (rc == CLI_GO_ON && optind < argc) {
        rc = cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    }
    return rc;
}

/* Reads the options of a command that has none of its own; returns cli_next_opt's last
 * answer (CLI_OPTS_DONE or CLI_OPTS_STOP, with *rc set for a stop). */
static int
common_opts_read(cli *c, const cli_cmd *cmd, int argc, char **argv, int *rc)
{
    static const struct option opts[] = {CLI_COMMON_OPTIONS};
    int opt;
    cli_opts_begin();
    while ((opt = cli_next_opt(c, cmd, argc, argv, opts, rc)) >= 0) {
        /* no options of its own */
    }
    return opt;
}

int
cli_no_arg(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    int rc = CLI_EXIT_OK;
    int opt = common_opts_read(c, cmd, argc, argv, &rc);
    return cli_opts_end(cmd, argc, argv, opt, rc, CLI_GO_ON);
}

int
cli_one_arg(cli *c, const cli_cmd *cmd, int argc, char **argv, const char *expected, char **arg)
{
    int rc = CLI_EXIT_OK;
    int opt = common_opts_read(c, cmd, argc, argv, &rc);
    if (opt == CLI_OPTS_STOP) {
        return rc;
    }
    if (argc - optind != 1) {
        return cli_usage_error(cmd, "%s", expected);
    }
    *arg = argv[optind];
    return CLI_GO_ON;
}

bool
cli_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    bool ok = s[0] != '\0';
    for (size_t i = 0; ok && s[i] != '\0'; i++) {
        ok = s[i] >= '0' && s[i] <= '9';
        v = v * 10u + (uint64_t)(s[i] - '0');
        ok = ok && v <= max; /* checked per digit, so v never overflows */
    }
    ok = ok && v >= min;
    if (ok) {
        *out = (uint32_t)v;
    }
    return ok;
}

/* ---- dispatch ---------------------------------------------------------------------------- */

/* bzl help [COMMAND [SUBCOMMAND]] */
static int
help_command(int argc, char **argv)
{
    int rc = CLI_EXIT_OK;
    const cli_cmd *cmd = NULL;
    if (argc == 0) {
        usage_print(stdout);
    } else if (argc == 1 && is_group(argv[0])) {
        group_help(argv[0], stdout);
    } else if ((cmd = cmd_find(argv[0], argc > 1 ? argv[1] : NULL)) != NULL &&
               argc <= (strchr(cmd->name, ' ') != NULL ? 2 : 1)) {
        cli_cmd_help(cmd);
    } else {
        fprintf(stderr, "bzl help: no command '%s%s%s'\nTry 'bzl --help'.\n", argv[0],
                argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
        rc = CLI_EXIT_USAGE;
    }
    return rc;
}

/* Runs the command at argv[0] (argc >= 1). */
static int
dispatch(cli *c, int argc, char **argv)
{
    int rc = CLI_EXIT_USAGE;
    const cli_cmd *cmd = NULL;
    if (strcmp(argv[0], "help") == 0) {
        rc = help_command(argc - 1, argv + 1);
    } else if (is_group(argv[0]) && argc < 2) {
        fprintf(stderr, "bzl %s: missing subcommand\n", argv[0]);
        group_help(argv[0], stderr);
    } else if (is_group(argv[0]) &&
               (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        group_help(argv[0], stdout);
        rc = CLI_EXIT_OK;
    } else if (is_group(argv[0]) && (cmd = cmd_find(argv[0], argv[1])) != NULL) {
        rc = cmd->run(c, cmd, argc - 1, argv + 1);
    } else if (!is_group(argv[0]) && (cmd = cmd_find(argv[0], NULL)) != NULL) {
        rc = cmd->run(c, cmd, argc, argv);
    } else {
        fprintf(stderr, "bzl: unknown command '%s%s%s'\nTry 'bzl --help'.\n", argv[0],
                is_group(argv[0]) ? " " : "", is_group(argv[0]) ? argv[1] : "");
    }
    return rc;
}

/* Parses the options before the command. Returns the index of the command in argv, or -1
 * with *exit_out set (help shown, or a usage error). */
static int
parse_globals(cli *c, int argc, char **argv, int *exit_out)
{
    static const struct option opts[] = {{"version", no_argument, NULL, CLI_OPT_VERSION},
                                         CLI_COMMON_OPTIONS};
    char buf[64];
    int opt;
    int index = -1;
    cli_opts_begin();
    /* "+": stop at the command name, whose own options come after it. */
    while ((opt = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        if (opt == CLI_OPT_JSON) {
            c->json = true;
        } else if (opt == CLI_OPT_SOCKET) {
            c->socket_path = optarg;
        } else if (opt == CLI_OPT_TIMEOUT) {
            if (!cli_parse_u32(optarg, 0, CLI_TIMEOUT_S_MAX, &c->timeout_s)) {
                fprintf(stderr,
                        "bzl: --timeout takes whole seconds from 0 (no limit) to %u\nTry 'bzl "
                        "--help'.\n",
                        CLI_TIMEOUT_S_MAX);
                *exit_out = CLI_EXIT_USAGE;
                goto done;
            }
        } else if (opt == CLI_OPT_VERSION) {
            printf("bzl %s\n", BZL_VERSION);
            *exit_out = CLI_EXIT_OK;
            goto done;
        } else if (opt == 'h' || opt == CLI_OPT_HELP) {
            usage_print(stdout);
            *exit_out = CLI_EXIT_OK;
            goto done;
        } else {
            fprintf(stderr, "bzl: %s '%s'\nTry 'bzl --help'.\n",
                    opt == ':' ? "missing value for option" : "unknown option",
                    bad_option(argc, argv, buf, sizeof buf));
            *exit_out = CLI_EXIT_USAGE;
            goto done;
        }
    }
    if (optind >= argc) {
        fputs("bzl: missing command\n\n", stderr);
        usage_print(stderr);
        *exit_out = CLI_EXIT_USAGE;
        goto done;
    }
    index = optind;
done:
    return index;
}

int
main(int argc, char **argv)
{
    cli c = {
        .socket_path = NULL, .json = false, .client = NULL, .timeout_s = CLI_TIMEOUT_S_DEFAULT};
    int rc = CLI_EXIT_USAGE;
    const char *env_timeout = getenv("BZL_TIMEOUT");
    if (env_timeout != NULL && env_timeout[0] != '\0' &&
        !cli_parse_u32(env_timeout, 0, CLI_TIMEOUT_S_MAX, &c.timeout_s)) {
        fprintf(stderr, "bzl: BZL_TIMEOUT=%s: whole seconds from 0 (no limit) to %u\n", env_timeout,
                CLI_TIMEOUT_S_MAX);
        goto done;
    }
    int index = parse_globals(&c, argc, argv, &rc);
    if (index < 0) {
        goto done;
    }
    if (c.socket_path == NULL) {
        c.socket_path = bzl_client_default_socket();
    }
    rc = dispatch(&c, argc - index, argv + index);
done:
    cli_deinit(&c);
    /* A full disk or a closed pipe under stdout must not pass for success. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "bzl: cannot write the output: %s\n", strerror(errno));
        rc = CLI_EXIT_TRANSPORT;
    }
    return rc;
}
