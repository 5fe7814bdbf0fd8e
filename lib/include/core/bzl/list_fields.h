/* list_fields.h — the 核注清单's own fields kept on a declaration (next-wave.md A.7).
 *
 * A declaration submitted from an INV101 list (bzl inv101 import) carries every header and line
 * field that is not one of the ledger's core fields, as customs' element name and its text. The
 * daemon keeps them as they came: it checks only that each is a field of this table in the right
 * place (header or line), valid UTF-8 text without control characters, and within the field's
 * byte bound; what the message's rules say of them (A.5) the client checks before it sends.
 *
 * On a bzl_declaration they travel as `list fields`: a run of records in the layout of the ATTRS
 * section of the declaration's journal entry (lib/src/storage/format.h), in strictly ascending
 * (line, tag) order:
 *
 *   4  line u32 LE: 0 for the header, 1..line_count for a line
 *   1  tag u8: this table's tag of the field at that scope (64..159)
 *   2  len u16 LE (1..the field's bytes_max)
 *   n  value, UTF-8
 *
 * so that storage writes them as they are and a stored declaration's records are a borrowed view
 * of its journal entry. Tags are forever: a field keeps its number, a retired one's is never
 * given to another. A tag may name one field on the header and another on a line.
 *
 * Never: interprets a value (that is the INV101 module's business, clients/inv101).
 */
#ifndef BZL_LIST_FIELDS_H
#define BZL_LIST_FIELDS_H

#include "bzl/base.h"
#include "bzl/ledger.h"

/* The tag range of the 核注清单's fields in the ATTRS section (format.h). */
#define BZL_LIST_TAG_FIRST 64u
#define BZL_LIST_TAG_LAST 159u
/* A record's bytes before its value. */
#define BZL_LIST_RECORD_HEADER_BYTES 7u

typedef enum bzl_list_scope {
    BZL_LIST_HEAD = 1, /* InvtHeadType, BussinessData and InvtMessage: record line 0 */
    BZL_LIST_LINE = 2, /* InvtListType: record line 1..n */
} bzl_list_scope;

typedef struct bzl_list_field_def {
    uint8_t tag;
    uint8_t scope;      /* bzl_list_scope */
    uint16_t bytes_max; /* the message's character bound × 4 (a UTF-8 character's most) */
    const char *name;   /* the INV101 element name, e.g. "BizopEtpsNm" */
} bzl_list_field_def;

/* The table, in (scope, tag) order; *count its rows. */
const bzl_list_field_def *bzl_list_fields(size_t *count);
/* The field named name at scope, or NULL. */
const bzl_list_field_def *bzl_list_field_by_name(bzl_list_scope scope, const char *name);
/* The field of tag at scope, or NULL. */
const bzl_list_field_def *bzl_list_field_by_tag(bzl_list_scope scope, uint8_t tag);

/* One record of a run of list fields: a borrowed view. */
typedef struct bzl_list_field {
    uint32_t line;
    const bzl_list_field_def *def;
    const char *value; /* not NUL-terminated: len bytes */
    uint16_t len;
} bzl_list_field;

/* Reads the record at *off of the run p[0..len) and advances *off. Returns false at the end
 * (*off == len) and for a malformed record (*bad set): one cut short, an unknown tag for its
 * scope, an empty or over-long value, a line past line_count, not after the previous record
 * (prev: the previous record's (line << 8 | tag), 0 before the first; updated). */
bool bzl_list_field_next(const uint8_t *p, size_t len, uint32_t line_count, size_t *off,
                         uint64_t *prev, bzl_list_field *out, bool *bad);

/* Checks a whole run as bzl_list_field_next reads it. BZL_OK or BZL_CORRUPT. */
BZL_NODISCARD bzl_status bzl_list_fields_check(const uint8_t *p, size_t len, uint32_t line_count);

/* Appends one record to buf (cap bytes, *used of them taken). The caller keeps the order.
 * BZL_OK, or BZL_INVALID_ARGUMENT with fault naming the field (line, name) when the value is
 * empty, longer than the field's bound, not UTF-8 or holds a control character;
 * BZL_LIMIT_EXCEEDED when buf is full. */
BZL_NODISCARD bzl_status bzl_list_field_put(uint8_t *buf, size_t cap, size_t *used, uint32_t line,
                                            const bzl_list_field_def *def, const char *value,
                                            size_t value_len, bzl_fault *fault);

#endif
