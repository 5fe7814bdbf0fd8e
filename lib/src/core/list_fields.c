/* list_fields.c — the 核注清单 fields a declaration keeps (list_fields.h): the tag table and
 * the record run's reader and writer. Element names and character bounds are next-wave.md
 * A.2-A.4's [GXB, PHP101, XAE]; the tags are ours and forever (format.h lists them too). */
#include "bzl/list_fields.h"

#include <string.h>

/* Characters → bytes: a UTF-8 character takes at most 4. */
#define H(tag, name, chars)                                                                        \
    {                                                                                              \
        tag, BZL_LIST_HEAD, (uint16_t)((chars)*4u), name                                           \
    }
#define L(tag, name, chars)                                                                        \
    {                                                                                              \
        tag, BZL_LIST_LINE, (uint16_t)((chars)*4u), name                                           \
    }

/* Header tags are 64 + the field's place in InvtHeadType as the message orders it; the places
 * the ledger's core fields take (PutrecNo 67 → book, EtpsInnerInvtNo 69 → id, BizopEtpsno 70 →
 * enterprise, InvtDclTime 83 → date, ImpexpMarkcd 103 → direction, MtpckEndprdMarkcd 104 →
 * kind, SupvModecd 105 → trade mode) are never used. 127-129 are BussinessData and
 * InvtMessage's own. Line tags are 64 + the place in InvtListType; PutrecSeqno 66 → item,
 * DclUnitcd 71 → unit, DclQty 74 → qty, DclTotalAmt 78 → value, DclCurrcd 79 → currency,
 * UsdStatTotalAmt 80 → usd, Natcd 81 → country and UcnsVerno 89 → bom version are unused. */
static const bzl_list_field_def table[] = {
    H(64, "SeqNo", 18),
    H(65, "BondInvtNo", 18),
    H(66, "ChgTmsCnt", 9),
    H(68, "InvtType", 1),
    H(71, "BizopEtpsSccd", 18),
    H(72, "BizopEtpsNm", 512),
    H(73, "RcvgdEtpsno", 10),
    H(74, "RvsngdEtpsSccd", 18),
    H(75, "RcvgdEtpsNm", 512),
    H(76, "DclEtpsno", 10),
    H(77, "DclEtpsSccd", 18),
    H(78, "DclEtpsNm", 512),
    H(79, "InputCode", 10),
    H(80, "InputCreditCode", 18),
    H(81, "InputName", 255),
    H(82, "InputTime", 8),
    H(84, "EntryNo", 64),
    H(85, "EntryDclTime", 8),
    H(86, "CorrEntryDclEtpsNo", 10),
    H(87, "CorrEntryDclEtpsSccd", 18),
    H(88, "CorrEntryDclEtpsNm", 512),
    H(89, "RltInvtNo", 64),
    H(90, "RltPutrecNo", 64),
    H(91, "RltEntryNo", 64),
    H(92, "RltEntryBizopEtpsno", 10),
    H(93, "RltEntryBizopEtpsSccd", 18),
    H(94, "RltEntryBizopEtpsNm", 512),
    H(95, "RltEntryRcvgdEtpsno", 10),
    H(96, "RltEntryRvsngdEtpsSccd", 18),
    H(97, "RltEntryRcvgdEtpsNm", 512),
    H(98, "RltEntryDclEtpsno", 10),
    H(99, "RltEntryDclEtpsSccd", 18),
    H(100, "RltEntryDclEtpsNm", 512),
    H(101, "ImpexpPortcd", 4),
    H(102, "DclPlcCuscd", 4),
    H(106, "TrspModecd", 1),
    H(107, "ApplyNo", 64),
    H(108, "ListType", 1),
    H(109, "DclcusFlag", 1),
    H(110, "DclcusTypecd", 1),
    H(111, "DecType", 1),
    H(112, "GenDecFlag", 1),
    H(113, "StshipTrsarvNatcd", 3),
    H(114, "DclTypecd", 1),
    H(115, "IcCardNo", 20),
    H(116, "Rmk", 4000),
    H(117, "LevyBlAmt", 25),
    H(118, "BondInvtTypecd", 2),
    H(119, "ListStat", 2),
    H(120, "VrfdedMarkcd", 2),
    H(121, "InvtIochkptStucd", 2),
    H(122, "PassportUsedTypeCd", 2),
    H(123, "EntryStucd", 2),
    H(124, "NeedEntryModified", 2),
    H(125, "PrevdTime", 32),
    H(126, "FormalVrfdedTime", 32),
    H(127, "DelcareFlag", 1),
    H(128, "SysId", 8),
    H(129, "OperCusRegCode", 10),
    L(64, "SeqNo", 18),
    L(65, "GdsSeqno", 19),
    L(67, "GdsMtno", 32),
    L(68, "Gdecd", 10),
    L(69, "GdsNm", 512),
    L(70, "GdsSpcfModelDesc", 255),
    L(72, "LawfUnitcd", 3),
    L(73, "SecdLawfUnitcd", 3),
    L(75, "LawfQty", 25),
    L(76, "SecdLawfQty", 25),
    L(77, "DclUprcAmt", 25),
    L(82, "DestinationNatcd", 3),
    L(83, "LvyrlfModecd", 1),
    L(84, "WtSfVal", 25),
    L(85, "FstSfVal", 25),
    L(86, "SecdSfVal", 25),
    L(87, "GrossWt", 25),
    L(88, "NetWt", 25),
    L(90, "ClyMarkcd", 4),
    L(91, "EntryGdsSeqno", 19),
    L(92, "ApplyTbSeqno", 19),
    L(93, "UseCd", 1),
    L(94, "ModfMarkcd", 1),
    L(95, "Rmk", 4000),
    L(96, "ActlPassQty", 25),
    L(97, "PassportUsedQty", 25),
};
static_assert(BZL_ARRAY_LEN(table) < 256, "a declaration holds at most one record per field");

const bzl_list_field_def *
bzl_list_fields(size_t *count)
{
    *count = BZL_ARRAY_LEN(table);
    return table;
}

const bzl_list_field_def *
bzl_list_field_by_name(bzl_list_scope scope, const char *name)
{
    BZL_ASSERT(name != NULL);
    for (size_t i = 0; i < BZL_ARRAY_LEN(table); i++) {
        if (table[i].scope == scope && strcmp(table[i].name, name) == 0) {
            return &table[i];
        }
    }
    return NULL;
}

const bzl_list_field_def *
bzl_list_field_by_tag(bzl_list_scope scope, uint8_t tag)
{
    for (size_t i = 0; i < BZL_ARRAY_LEN(table); i++) {
        if (table[i].scope == scope && table[i].tag == tag) {
            return &table[i];
        }
    }
    return NULL;
}

static uint32_t
get_le(const uint8_t *p, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = n; i > 0; i--) {
        v = v << 8 | p[i - 1];
    }
    return v;
}

bool
bzl_list_field_next(const uint8_t *p, size_t len, uint32_t line_count, size_t *off, uint64_t *prev,
                    bzl_list_field *out, bool *bad)
{
    BZL_ASSERT(*off <= len);
    *bad = false;
    if (*off == len) {
        return false;
    }
    const uint8_t *r = p + *off;
    size_t left = len - *off;
    if (left < BZL_LIST_RECORD_HEADER_BYTES) {
        *bad = true;
        return false;
    }
    uint32_t line = get_le(r, 4);
    uint8_t tag = r[4];
    uint16_t vlen = (uint16_t)get_le(r + 5, 2);
    uint64_t order = (uint64_t)line << 8 | tag;
    const bzl_list_field_def *def =
        bzl_list_field_by_tag(line == 0 ? BZL_LIST_HEAD : BZL_LIST_LINE, tag);
    if (def == NULL || line > line_count || vlen == 0 || vlen > def->bytes_max ||
        vlen > left - BZL_LIST_RECORD_HEADER_BYTES || order <= *prev) {
        *bad = true;
        return false;
    }
    out->line = line;
    out->def = def;
    out->value = (const char *)r + BZL_LIST_RECORD_HEADER_BYTES;
    out->len = vlen;
    *prev = order;
    *off += BZL_LIST_RECORD_HEADER_BYTES + vlen;
    return true;
}

bzl_status
bzl_list_fields_check(const uint8_t *p, size_t len, uint32_t line_count)
{
    size_t off = 0;
    uint64_t prev = 0;
    bool bad = false;
    bzl_list_field f;
    while (bzl_list_field_next(p, len, line_count, &off, &prev, &f, &bad)) {
    }
    return bad ? BZL_CORRUPT : BZL_OK;
}

bzl_status
bzl_list_field_put(uint8_t *buf, size_t cap, size_t *used, uint32_t line,
                   const bzl_list_field_def *def, const char *value, size_t value_len,
                   bzl_fault *fault)
{
    BZL_ASSERT(def != NULL && value != NULL);
    BZL_ASSERT(*used <= cap);
    bzl_status st = bzl_text_check(value, value_len, 1, def->bytes_max, def->name, fault);
    if (st != BZL_OK) {
        if (fault != NULL) {
            fault->line = line;
        }
        return st;
    }
    if (cap - *used < BZL_LIST_RECORD_HEADER_BYTES + value_len) {
        return bzl_fault_set(fault, BZL_LIMIT_EXCEEDED, line, def->name,
                             "the list fields exceed %zu bytes", cap);
    }
    uint8_t *r = buf + *used;
    for (unsigned i = 0; i < 4; i++) {
        r[i] = (uint8_t)(line >> (8 * i));
    }
    r[4] = def->tag;
    r[5] = (uint8_t)(value_len & 0xFFu);
    r[6] = (uint8_t)(value_len >> 8);
    memcpy(r + BZL_LIST_RECORD_HEADER_BYTES, value, value_len);
    *used += BZL_LIST_RECORD_HEADER_BYTES + value_len;
    return BZL_OK;
}
