/* check_inv101.c — the INV101 module: every sample list of tests/fixtures/inv101 (written by the
 * team from next-wave.md A.2-A.4) reads without a problem and survives write → read with every
 * field equal; each cross-field rule of A.5 that needs no ledger refuses a hand-made violation
 * with its message; and malformed files (truncated, wrong encoding, wrong root, 10,000 nested
 * elements, a billion-laughs DOCTYPE, unknown or repeated elements) are refused with a clear
 * problem, never a crash. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inv101.h"

static const char *const samples[] = {
    "import.xml",       "import-signed.xml", "export.xml", "transfer-in.xml",
    "transfer-out.xml", "domestic-sale.xml", "draft.xml",  "change.xml",
};

static char *
slurp(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", BZL_FIXTURES, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Reads a sample; asserts it is well formed. */
static void
read_sample(const char *name, inv101_doc *doc)
{
    size_t len = 0;
    char *bytes = slurp(name, &len);
    inv101_problems p = {0};
    bzl_status st = inv101_read(bytes, len, name, doc, &p);
    ck_assert_msg(st == BZL_OK, "%s: %s %s", name, p.count ? p.items[0].path : "",
                  p.count ? p.items[0].message : "");
    free(bytes);
}

static const char *
value(const inv101_record *r, inv101_group g, const char *tag)
{
    int i = inv101_field_find(g, tag);
    ck_assert_int_ge(i, 0);
    return r->values[i];
}

/* Replaces (or removes, v NULL) one field. */
static void
set(inv101_record *r, inv101_group g, const char *tag, const char *v)
{
    int i = inv101_field_find(g, tag);
    ck_assert_int_ge(i, 0);
    free(r->values[i]);
    r->values[i] = v != NULL ? strdup(v) : NULL;
}

/* The problems of doc; asserts one of them names path and contains text. */
static void
assert_refused(const inv101_doc *doc, const char *path, const char *text)
{
    inv101_problems p = {0};
    ck_assert(!inv101_check(doc, &p));
    for (uint32_t i = 0; i < p.count; i++) {
        if (strcmp(p.items[i].path, path) == 0 && strstr(p.items[i].message, text) != NULL) {
            return;
        }
    }
    ck_abort_msg("no problem at %s containing \"%s\"; first: %s: %s", path, text,
                 p.count ? p.items[0].path : "-", p.count ? p.items[0].message : "-");
}

/* Every sample reads and passes every rule. */
START_TEST(samples_read_and_pass_every_rule)
{
    inv101_doc doc;
    read_sample(samples[_i], &doc);
    inv101_problems p = {0};
    bool ok = inv101_check(&doc, &p);
    ck_assert_msg(ok, "%s: %s: %s", samples[_i], p.count ? p.items[0].path : "",
                  p.count ? p.items[0].message : "");
    ck_assert_uint_ge(doc.line_count, 1);
    inv101_doc_deinit(&doc);
}
END_TEST

/* What the import sample says, field by field as written in the file: entities unescaped,
 * white space around values trimmed, an empty element absent, the line's place kept. */
START_TEST(import_sample_reads_as_written)
{
    inv101_doc doc;
    read_sample("import.xml", &doc);
    ck_assert(!doc.signed_wrapper);
    ck_assert_uint_eq(doc.line_count, 2);
    ck_assert_str_eq(value(&doc.head, INV101_HEAD, "EtpsInnerInvtNo"), "W-2603-IMP");
    ck_assert_str_eq(value(&doc.head, INV101_HEAD, "BizopEtpsNm"), "杭州综保区表业有限公司");
    ck_assert_str_eq(value(&doc.head, INV101_HEAD, "Rmk"), "进境料件 <机芯> 第1批");
    ck_assert_ptr_null(value(&doc.head, INV101_HEAD, "SeqNo"));
    ck_assert_str_eq(value(&doc.message, INV101_MESSAGE, "DelcareFlag"), "1");
    ck_assert_str_eq(value(&doc.envelope, INV101_ENVELOPE, "message_type"), "INV101");
    ck_assert_ptr_null(value(&doc.envelope, INV101_ENVELOPE, "business_id")); /* <business_id/> */
    ck_assert_str_eq(value(&doc.lines[1], INV101_LINE, "DclUprcAmt"), "3.3333");
    ck_assert_ptr_null(value(&doc.lines[1], INV101_LINE, "Rmk"));
    ck_assert_uint_gt(doc.lines[1].xml_line, doc.lines[0].xml_line);
    inv101_doc_deinit(&doc);

    read_sample("import-signed.xml", &doc);
    ck_assert(doc.signed_wrapper);
    ck_assert_str_eq(value(&doc.lines[0], INV101_LINE, "DclTotalAmt"), "12000.50");
    inv101_doc_deinit(&doc);
}
END_TEST

/* write then read gives the same document: every field of every group equal. */
START_TEST(write_then_read_gives_every_field_back)
{
    inv101_doc a;
    inv101_doc b;
    read_sample(samples[_i], &a);
    char *xml = NULL;
    size_t len = 0;
    ck_assert_int_eq(inv101_write(&a, &xml, &len), BZL_OK);
    inv101_problems p = {0};
    ck_assert_int_eq(inv101_read(xml, len, "written", &b, &p), BZL_OK);
    ck_assert_ptr_nonnull(strstr(xml, "<BussinessData>"));
    const inv101_record *ra[] = {&a.envelope, &a.message, &a.head};
    const inv101_record *rb[] = {&b.envelope, &b.message, &b.head};
    for (int g = 0; g < 3; g++) {
        for (size_t i = 0; i < inv101_field_count((inv101_group)g); i++) {
            const char *x = ra[g]->values[i];
            const char *y = rb[g]->values[i];
            ck_assert_msg((x == NULL) == (y == NULL) && (x == NULL || strcmp(x, y) == 0),
                          "%s %s: %s vs %s", samples[_i], inv101_field_tag((inv101_group)g, i),
                          x ? x : "(absent)", y ? y : "(absent)");
        }
    }
    ck_assert_uint_eq(a.line_count, b.line_count);
    for (uint32_t l = 0; l < a.line_count; l++) {
        for (size_t i = 0; i < inv101_field_count(INV101_LINE); i++) {
            const char *x = a.lines[l].values[i];
            const char *y = b.lines[l].values[i];
            ck_assert_msg((x == NULL) == (y == NULL) && (x == NULL || strcmp(x, y) == 0),
                          "%s line %u %s", samples[_i], (unsigned)l + 1,
                          inv101_field_tag(INV101_LINE, i));
        }
    }
    free(xml);
    inv101_doc_deinit(&a);
    inv101_doc_deinit(&b);
}
END_TEST

/* A.5 rule 1: the code tables. */
START_TEST(rule_codes_name_the_field_and_the_codes)
{
    inv101_doc doc;
    read_sample("import.xml", &doc);
    set(&doc.head, INV101_HEAD, "ImpexpMarkcd", "X");
    assert_refused(&doc, "InvtHeadType/ImpexpMarkcd", "\"X\" is not one of I E");
    set(&doc.head, INV101_HEAD, "DclTypecd", "4");
    assert_refused(&doc, "InvtHeadType/DclTypecd", "is not one of 1 2 3");
    set(&doc.lines[1], INV101_LINE, "ModfMarkcd", "5");
    assert_refused(&doc, "InvtListType[2]/ModfMarkcd", "is not one of 0 1 2 3");
    set(&doc.head, INV101_HEAD, "GenDecFlag", NULL);
    assert_refused(&doc, "InvtHeadType/GenDecFlag", "GenDecFlag (是否生成报关单) is required");
    inv101_doc_deinit(&doc);
}
END_TEST

/* A.5 rule 2: 非报关 has no 报关类型; 关联报关 needs the nine related-entry party fields,
 * 对应报关 the three corresponding ones. */
START_TEST(rule_declaration_link_needs_its_parties)
{
    inv101_doc doc;
    read_sample("import.xml", &doc);
    set(&doc.head, INV101_HEAD, "DclcusFlag", "2");
    assert_refused(&doc, "InvtHeadType/DclcusTypecd", "must be empty when DclcusFlag is 2");
    set(&doc.head, INV101_HEAD, "DclcusFlag", "1");
    set(&doc.head, INV101_HEAD, "DclcusTypecd", "1");
    assert_refused(&doc, "InvtHeadType/RltEntryDclEtpsNm", "required when DclcusTypecd is 1");
    set(&doc.head, INV101_HEAD, "DclcusTypecd", "2");
    set(&doc.head, INV101_HEAD, "CorrEntryDclEtpsSccd", NULL);
    assert_refused(&doc, "InvtHeadType/CorrEntryDclEtpsSccd", "required when DclcusTypecd is 2");
    inv101_doc_deinit(&doc);
}
END_TEST

/* A.5 rule 3: a change or deletion names the list (SeqNo) and counts the change. */
START_TEST(rule_change_needs_seq_no_and_count)
{
    inv101_doc doc;
    read_sample("change.xml", &doc);
    set(&doc.head, INV101_HEAD, "SeqNo", NULL);
    assert_refused(&doc, "InvtHeadType/SeqNo", "required to change or delete a list");
    set(&doc.head, INV101_HEAD, "SeqNo", "202600000122717119");
    set(&doc.head, INV101_HEAD, "ChgTmsCnt", "0");
    assert_refused(&doc, "InvtHeadType/ChgTmsCnt", "must count this change");
    inv101_doc_deinit(&doc);
}
END_TEST

/* A.5 rule 4: a transfer names the counterpart's book; its export side the import list. */
START_TEST(rule_transfer_names_its_counterpart)
{
    inv101_doc doc;
    read_sample("transfer-out.xml", &doc);
    set(&doc.head, INV101_HEAD, "RltInvtNo", NULL);
    assert_refused(&doc, "InvtHeadType/RltInvtNo", "must name the receiving side's import list");
    set(&doc.head, INV101_HEAD, "RltPutrecNo", NULL);
    assert_refused(&doc, "InvtHeadType/RltPutrecNo", "required for a transfer (ListType A)");
    inv101_doc_deinit(&doc);
}
END_TEST

/* A.5 rule 6: the second legal unit and its quantity go together. */
START_TEST(rule_second_unit_and_quantity_go_together)
{
    inv101_doc doc;
    read_sample("import.xml", &doc);
    set(&doc.lines[0], INV101_LINE, "SecdLawfQty", NULL);
    assert_refused(&doc, "InvtListType[1]/SecdLawfQty", "a unit without a quantity");
    inv101_doc_deinit(&doc);
}
END_TEST

/* A.5 rule 7: decimals per field, and |qty × price − total| ≤ 0.01. The change sample's line
 * is 990 × 12.0005 = 11,880.495 against 11,880.50: 0.005 off, accepted. Here 1000 × 12.0005 =
 * 12,000.50; a total of 12,000.52 is 0.02 off, refused; 12,000.51 is 0.01 off, accepted. */
START_TEST(rule_amounts_add_up_within_a_fen)
{
    inv101_doc doc;
    read_sample("import.xml", &doc);
    set(&doc.lines[0], INV101_LINE, "DclTotalAmt", "12000.52");
    assert_refused(&doc, "InvtListType[1]/DclTotalAmt", "by more than 0.01");
    set(&doc.lines[0], INV101_LINE, "DclTotalAmt", "12000.51");
    inv101_problems p = {0};
    ck_assert(inv101_check(&doc, &p));
    set(&doc.lines[0], INV101_LINE, "DclTotalAmt", "12000.505");
    assert_refused(&doc, "InvtListType[1]/DclTotalAmt", "has 3 decimals; at most 2");
    set(&doc.lines[0], INV101_LINE, "DclTotalAmt", "12000.50");
    set(&doc.lines[0], INV101_LINE, "DclUprcAmt", "12.00051");
    assert_refused(&doc, "InvtListType[1]/DclUprcAmt", "has 5 decimals; at most 4");
    set(&doc.lines[0], INV101_LINE, "DclUprcAmt", "-12");
    assert_refused(&doc, "InvtListType[1]/DclUprcAmt", "is not a decimal number");
    set(&doc.lines[0], INV101_LINE, "DclQty", "0");
    assert_refused(&doc, "InvtListType[1]/DclQty", "must be greater than 0");
    inv101_doc_deinit(&doc);
}
END_TEST

/* A.5 rule 8: a list number is QD + customs + year + I/E + 9 digits, its letter the list's. */
START_TEST(rule_list_number_has_its_shape_and_direction)
{
    inv101_doc doc;
    read_sample("change.xml", &doc);
    set(&doc.head, INV101_HEAD, "BondInvtNo", "QD2992261X00000321");
    assert_refused(&doc, "InvtHeadType/BondInvtNo", "is not QD + 4-digit customs");
    set(&doc.head, INV101_HEAD, "BondInvtNo", "QD299226E000000321");
    assert_refused(&doc, "InvtHeadType/BondInvtNo", "is an E list but ImpexpMarkcd is I");
    inv101_doc_deinit(&doc);
}
END_TEST

/* Lengths, digits, dates and line numbering, each named. */
START_TEST(fields_keep_their_form)
{
    inv101_doc doc;
    read_sample("import.xml", &doc);
    set(&doc.head, INV101_HEAD, "BizopEtpsno", "33012300");
    assert_refused(&doc, "InvtHeadType/BizopEtpsno", "has 8 characters; it must have 10");
    set(&doc.head, INV101_HEAD, "InputTime", "20260230");
    assert_refused(&doc, "InvtHeadType/InputTime", "is not a calendar date written yyyyMMdd");
    set(&doc.lines[1], INV101_LINE, "Gdecd", "70071900AB");
    assert_refused(&doc, "InvtListType[2]/Gdecd", "must be digits only");
    set(&doc.lines[1], INV101_LINE, "GdsSeqno", "3");
    assert_refused(&doc, "InvtListType[2]/GdsSeqno", "so this one is 2");
    /* A.5 rule 9: the list's code worlds are numeric; ISO letters belong to the 报关单. */
    set(&doc.lines[0], INV101_LINE, "DclCurrcd", "USD");
    assert_refused(&doc, "InvtListType[1]/DclCurrcd", "\"USD\" must be digits only");
    set(&doc.lines[0], INV101_LINE, "Natcd", "CN");
    assert_refused(&doc, "InvtListType[1]/Natcd", "has 2 characters; it must have 3");
    char name[600];
    memset(name, 'a', 513);
    name[513] = '\0';
    set(&doc.head, INV101_HEAD, "DclEtpsNm", name);
    assert_refused(&doc, "InvtHeadType/DclEtpsNm", "has 513 characters; at most 512");
    inv101_doc_deinit(&doc);
}
END_TEST

/* Refuses bytes with one problem containing text; *doc stays empty. */
static void
assert_malformed(const char *bytes, size_t len, const char *text)
{
    inv101_doc doc;
    inv101_problems p = {0};
    ck_assert_int_eq(inv101_read(bytes, len, "bad.xml", &doc, &p), BZL_MALFORMED);
    ck_assert_uint_ge(p.count, 1);
    bool found = false;
    for (uint32_t i = 0; i < p.count; i++) {
        found |= strstr(p.items[i].message, text) != NULL;
    }
    ck_assert_msg(found, "no problem containing \"%s\"; first: %s", text, p.items[0].message);
    ck_assert_ptr_null(doc.head.values);
    ck_assert_ptr_null(doc.lines);
}

/* Truncated, wrongly encoded, wrong root, missing head. */
START_TEST(malformed_files_are_refused_with_a_reason)
{
    size_t len = 0;
    char *good = slurp("import.xml", &len);
    assert_malformed(good, len / 2, "not well-formed XML");
    /* GBK bytes for 表业 in a file that declares UTF-8 */
    char *gbk = strdup(good);
    char *at = strstr(gbk, "表业");
    ck_assert_ptr_nonnull(at);
    memcpy(at, "\xb1\xed\xd2\xb5", 4);
    assert_malformed(gbk, len - 2, "not well-formed XML");
    static const char root[] = "<?xml version=\"1.0\"?><CommonResponeMessage/>";
    assert_malformed(root, sizeof root - 1, "the root element is CommonResponeMessage");
    static const char nohead[] = "<Package><DataInfo><BussinessData/></DataInfo></Package>";
    assert_malformed(nohead, sizeof nohead - 1, "not an INV101");
    free(gbk);
    free(good);
}
END_TEST

/* 10,000 nested elements hit libxml2's depth limit; a billion-laughs DOCTYPE is refused before
 * parsing. */
START_TEST(hostile_files_are_refused_without_expanding)
{
    size_t depth = 10000;
    char *deep = malloc(depth * 7 + 64);
    ck_assert_ptr_nonnull(deep);
    size_t n = 0;
    for (size_t i = 0; i < depth; i++) {
        memcpy(deep + n, "<a>", 3);
        n += 3;
    }
    for (size_t i = 0; i < depth; i++) {
        memcpy(deep + n, "</a>", 4);
        n += 4;
    }
    assert_malformed(deep, n, "not well-formed XML");
    free(deep);
    static const char laughs[] =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
        "<Package>&lol3;</Package>";
    assert_malformed(laughs, sizeof laughs - 1, "declares a DOCTYPE");
}
END_TEST

/* Elements the message does not have, or has once, are named with their path and line. */
START_TEST(unknown_and_repeated_elements_are_named)
{
    size_t len = 0;
    char *good = slurp("import.xml", &len);
    char *buf = malloc(len + 128);
    ck_assert_ptr_nonnull(buf);
    const char *at = strstr(good, "<GdsMtno>SG-30");
    ck_assert_ptr_nonnull(at);
    size_t off = (size_t)(at - good);
    int w = snprintf(buf, len + 128, "%.*s<Colour>blue</Colour>%s", (int)off, good, at);
    inv101_doc doc;
    inv101_problems p = {0};
    ck_assert_int_eq(inv101_read(buf, (size_t)w, "x.xml", &doc, &p), BZL_MALFORMED);
    ck_assert_str_eq(p.items[0].path, "InvtListType[2]/Colour");
    ck_assert_str_eq(p.items[0].message, "Colour is not a field of InvtListType");
    ck_assert_uint_gt(p.items[0].xml_line, 50);

    at = strstr(good, "<PutrecNo>");
    off = (size_t)(at - good);
    w = snprintf(buf, len + 128, "%.*s<PutrecNo>H1</PutrecNo>%s", (int)off, good, at);
    memset(&p, 0, sizeof p);
    ck_assert_int_eq(inv101_read(buf, (size_t)w, "x.xml", &doc, &p), BZL_MALFORMED);
    ck_assert_str_eq(p.items[0].path, "InvtHeadType/PutrecNo");
    ck_assert_str_eq(p.items[0].message, "PutrecNo appears twice");

    char *misspelt = strdup(good);
    char *bd = strstr(misspelt, "<BussinessData>");
    char *end = strstr(misspelt, "</BussinessData>");
    memcpy(bd, "<BusinessData> ", 15);
    memcpy(end, "</BusinessData> ", 16);
    memset(&p, 0, sizeof p);
    ck_assert_int_eq(inv101_read(misspelt, len, "x.xml", &doc, &p), BZL_MALFORMED);
    ck_assert_ptr_nonnull(strstr(p.items[0].message, "spells it BussinessData"));
    free(misspelt);
    free(buf);
    free(good);
}
END_TEST

/* docs/INV101.md lists every field the module knows, so the page cannot drift from the code. */
START_TEST(every_field_is_documented)
{
    FILE *f = fopen(BZL_DOC, "rb");
    ck_assert_ptr_nonnull(f);
    static char doc[1 << 17];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    ck_assert_uint_lt(n, sizeof doc - 1);
    doc[n] = '\0';
    for (int g = 0; g < INV101_GROUPS; g++) {
        for (size_t i = 0; i < inv101_field_count((inv101_group)g); i++) {
            char quoted[64];
            snprintf(quoted, sizeof quoted, "| `%s` |", inv101_field_tag((inv101_group)g, i));
            ck_assert_msg(strstr(doc, quoted) != NULL, "docs/INV101.md lacks %s", quoted);
        }
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("inv101");
    TCase *tc = tcase_create("inv101");
    tcase_add_loop_test(tc, samples_read_and_pass_every_rule, 0, (int)BZL_ARRAY_LEN(samples));
    tcase_add_test(tc, import_sample_reads_as_written);
    tcase_add_loop_test(tc, write_then_read_gives_every_field_back, 0, (int)BZL_ARRAY_LEN(samples));
    tcase_add_test(tc, rule_codes_name_the_field_and_the_codes);
    tcase_add_test(tc, rule_declaration_link_needs_its_parties);
    tcase_add_test(tc, rule_change_needs_seq_no_and_count);
    tcase_add_test(tc, rule_transfer_names_its_counterpart);
    tcase_add_test(tc, rule_second_unit_and_quantity_go_together);
    tcase_add_test(tc, rule_amounts_add_up_within_a_fen);
    tcase_add_test(tc, rule_list_number_has_its_shape_and_direction);
    tcase_add_test(tc, fields_keep_their_form);
    tcase_add_test(tc, malformed_files_are_refused_with_a_reason);
    tcase_add_test(tc, hostile_files_are_refused_without_expanding);
    tcase_add_test(tc, unknown_and_repeated_elements_are_named);
    tcase_add_test(tc, every_field_is_documented);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
