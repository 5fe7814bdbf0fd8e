/* wire_list.c — the 核注清单 fields of a declaration (list_fields.h) to and from the wire's
 * ListField pairs (wire.h). Only their form is checked here: the message's rules are the
 * client's (docs/INV101.md). */
#include <stdlib.h>
#include <string.h>

#include "bzl/list_fields.h"
#include "wire.h"

size_t
bzld_wire_list_bytes(const Bzl__V1__Declaration *pb, uint32_t lines_max)
{
    if (pb == NULL || pb->n_lines > lines_max) {
        return 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < pb->n_list_fields; i++) {
        n += BZL_LIST_RECORD_HEADER_BYTES + strlen(pb->list_fields[i]->value);
    }
    for (size_t l = 0; l < pb->n_lines; l++) {
        const Bzl__V1__DeclarationLine *pl = pb->lines[l];
        for (size_t i = 0; pl != NULL && i < pl->n_list_fields; i++) {
            n += BZL_LIST_RECORD_HEADER_BYTES + strlen(pl->list_fields[i]->value);
        }
    }
    return n;
}

/* One place's pairs (line 0: the header) appended to buf in tag order. A name the table does
 * not keep there, or one given twice, is refused naming it. */
static bzl_status
place_put(Bzl__V1__ListField *const *pairs, size_t n, uint32_t line, uint8_t *buf, size_t cap,
          size_t *used, bzl_fault *fault)
{
    bzl_list_scope scope = line == 0 ? BZL_LIST_HEAD : BZL_LIST_LINE;
    const char *where = line == 0 ? "the header" : "the line";
    /* by_tag[t]: the pair giving tag t + 1, 0 for none. Pairs are bounded by the frame. */
    size_t by_tag[BZL_LIST_TAG_LAST - BZL_LIST_TAG_FIRST + 1] = {0};
    for (size_t i = 0; i < n; i++) {
        const char *name = pairs[i]->name;
        const bzl_list_field_def *def = bzl_list_field_by_name(scope, name);
        if (def == NULL) {
            return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, name,
                                 "%.40s is not a 核注清单 field bzl keeps on %s", name, where);
        }
        size_t k = def->tag - BZL_LIST_TAG_FIRST;
        if (by_tag[k] != 0) {
            return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, def->name,
                                 "%s is given twice on %s", def->name, where);
        }
        by_tag[k] = i + 1;
    }
    for (size_t k = 0; k < BZL_ARRAY_LEN(by_tag); k++) {
        if (by_tag[k] == 0) {
            continue;
        }
        const Bzl__V1__ListField *f = pairs[by_tag[k] - 1];
        const bzl_list_field_def *def = bzl_list_field_by_tag(scope, (uint8_t)(k + 64u));
        bzl_status st =
            bzl_list_field_put(buf, cap, used, line, def, f->value, strlen(f->value), fault);
        if (st != BZL_OK) {
            return st;
        }
    }
    return BZL_OK;
}

bzl_status
bzld_wire_list_fields(const Bzl__V1__Declaration *pb, uint8_t *buf, size_t cap, bzl_declaration *d,
                      bzl_fault *fault)
{
    BZL_ASSERT(pb != NULL && d != NULL);
    BZL_ASSERT(pb->n_lines == d->line_count);
    size_t used = 0;
    bzl_status st = place_put(pb->list_fields, pb->n_list_fields, 0, buf, cap, &used, fault);
    for (uint32_t l = 0; st == BZL_OK && l < d->line_count; l++) {
        const Bzl__V1__DeclarationLine *pl = pb->lines[l];
        st = place_put(pl->list_fields, pl->n_list_fields, l + 1, buf, cap, &used, fault);
    }
    if (st == BZL_OK && used > UINT32_MAX) {
        st = bzl_fault_set(fault, BZL_LIMIT_EXCEEDED, 0, "list_fields",
                           "the list fields exceed 4 GiB");
    }
    if (st == BZL_OK) {
        d->list_fields = used > 0 ? buf : NULL;
        d->list_fields_len = (uint32_t)used;
    }
    return st;
}

void
bzld_list_pb_free(bzld_list_pb *lp)
{
    free(lp->pairs);
    free(lp->ptrs);
    free(lp->text);
    memset(lp, 0, sizeof *lp);
}

bzl_status
bzld_list_fields_to_pb(const bzl_declaration *d, Bzl__V1__Declaration *out,
                       Bzl__V1__DeclarationLine *const *lines, bzld_list_pb *lp)
{
    memset(lp, 0, sizeof *lp);
    size_t count = 0;
    size_t off = 0;
    uint64_t prev = 0;
    bool bad = false;
    bzl_list_field f;
    while (bzl_list_field_next(d->list_fields, d->list_fields_len, d->line_count, &off, &prev, &f,
                               &bad)) {
        count++;
    }
    if (bad) {
        return BZL_CORRUPT;
    }
    if (count == 0) {
        return BZL_OK;
    }
    lp->pairs = calloc(count, sizeof *lp->pairs);
    lp->ptrs = calloc(count, sizeof *lp->ptrs);
    lp->text = malloc(d->list_fields_len + count);
    if (lp->pairs == NULL || lp->ptrs == NULL || lp->text == NULL) {
        bzld_list_pb_free(lp);
        return BZL_NO_MEMORY;
    }
    off = 0;
    prev = 0;
    size_t at = 0;
    for (size_t i = 0; bzl_list_field_next(d->list_fields, d->list_fields_len, d->line_count, &off,
                                           &prev, &f, &bad);
         i++) {
        Bzl__V1__ListField *p = &lp->pairs[i];
        bzl__v1__list_field__init(p);
        p->name = (char *)f.def->name;
        memcpy(lp->text + at, f.value, f.len);
        lp->text[at + f.len] = '\0';
        p->value = lp->text + at;
        at += f.len + 1u;
        lp->ptrs[i] = p;
        /* Records are in line order, so each place's pairs are one run of ptrs. */
        if (f.line == 0) {
            out->list_fields = out->n_list_fields == 0 ? &lp->ptrs[i] : out->list_fields;
            out->n_list_fields++;
        } else {
            Bzl__V1__DeclarationLine *pl = lines[f.line - 1];
            pl->list_fields = pl->n_list_fields == 0 ? &lp->ptrs[i] : pl->list_fields;
            pl->n_list_fields++;
        }
    }
    return BZL_OK;
}
