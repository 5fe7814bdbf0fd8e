/* wire_repair.c — bonded repair requests from the wire to the domain (wire.h), pure. */
#include "wire.h"

#include <string.h>

bzl_status
bzld_wire_repair_origin(const char *text, bool required, const char *field, uint8_t *out,
                        bzl_fault *fault)
{
    BZL_ASSERT(text != NULL && out != NULL);
    if (strcmp(text, "abroad") == 0) {
        *out = BZL_ORIGIN_ABROAD;
        return BZL_OK;
    }
    if (strcmp(text, "outside") == 0) {
        *out = BZL_ORIGIN_OUTSIDE;
        return BZL_OK;
    }
    if (text[0] == '\0' && !required) {
        *out = BZL_ORIGIN_NONE;
        return BZL_OK;
    }
    return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, field,
                         "%s \"%.16s\" is not abroad or outside (where the goods came from)", field,
                         text);
}

bzl_status
bzld_wire_open_workorder(const Bzl__V1__OpenWorkOrder *req, char book_no[BZL_BOOK_NO_LEN + 1],
                         uint32_t *item, uint8_t *origin, int32_t *date, bzl_fault *fault)
{
    bzl_status st = bzld_parse_book(req->book, book_no, fault);
    if (st == BZL_OK && (req->item == 0 || req->item > BZL_ITEM_NO_MAX)) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "item", "item %u is not an item number",
                           (unsigned)req->item);
    }
    if (st == BZL_OK) {
        st = bzld_wire_repair_origin(req->origin, true, "origin", origin, fault);
    }
    if (st == BZL_OK) {
        st = bzld_wire_date(req->date, false, 0, "date", date, fault);
    }
    *item = req->item;
    return st;
}

/* One list of work-order lines. */
static bzl_status
wo_lines(Bzl__V1__WorkOrderLine **pb, size_t n, const char *field, bzl_wo_line *out,
         uint32_t *count, bzl_fault *fault)
{
    if (n > BZL_WO_LINES_MAX) {
        return bzl_fault_set(fault, BZL_LIMIT_EXCEEDED, 0, field,
                             "%s: %zu lines exceed the limit of %u", field, n, BZL_WO_LINES_MAX);
    }
    bzl_status st = BZL_OK;
    for (size_t i = 0; st == BZL_OK && i < n; i++) {
        out[i].item_no = pb[i]->item;
        st = bzld_wire_decimal(pb[i]->qty, BZL_SCALE_QTY, field, &out[i].qty_e5, fault);
        if (st != BZL_OK && fault != NULL) {
            fault->line = (uint32_t)i + 1;
        }
    }
    *count = (uint32_t)n;
    return st;
}

bzl_status
bzld_wire_complete_workorder(const Bzl__V1__CompleteWorkOrder *req,
                             char book_no[BZL_BOOK_NO_LEN + 1], uint32_t *no, uint8_t *state,
                             int32_t *date, bzl_wo_line *materials, uint32_t *n_materials,
                             bzl_wo_line *parts, uint32_t *n_parts, bzl_fault *fault)
{
    *n_materials = 0;
    *n_parts = 0;
    bzl_status st = bzld_parse_book(req->book, book_no, fault);
    if (st == BZL_OK && req->workorder == 0) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "workorder",
                           "workorder must name a work order (1 and up)");
    }
    if (st == BZL_OK) {
        st = bzld_wire_date(req->date, false, 0, "date", date, fault);
    }
    if (st == BZL_OK) {
        st = wo_lines(req->materials, req->n_materials, "materials", materials, n_materials, fault);
    }
    if (st == BZL_OK) {
        st = wo_lines(req->parts, req->n_parts, "parts", parts, n_parts, fault);
    }
    if (st == BZL_OK) {
        st = bzl_wo_lines_check(materials, *n_materials, parts, *n_parts, BZL_WO_LINES_MAX, fault);
    }
    *no = req->workorder;
    *state = req->unrepairable ? BZL_WO_UNREPAIRABLE : BZL_WO_REPAIRED;
    return st;
}

bzl_status
bzld_wire_delivery(const Bzl__V1__RecordDelivery *req, bzl_delivery *dv, bzl_fault *fault)
{
    memset(dv, 0, sizeof *dv);
    bzl_status st = bzld_parse_book(req->book, dv->book_no, fault);
    if (st == BZL_OK) {
        st = bzld_copy_code(req->counterpart_book, false, bzld_check_book_no, dv->counterpart,
                            sizeof dv->counterpart, 0, "counterpart_book", fault);
    }
    bzl_kind kind = BZL_KIND_MATERIAL;
    if (st == BZL_OK) {
        st = bzld_wire_kind(req->kind, &kind, fault);
    }
    if (st == BZL_OK && (req->item == 0 || req->item > BZL_ITEM_NO_MAX)) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "item", "item %u is not an item number",
                           (unsigned)req->item);
    }
    if (st == BZL_OK) {
        st = bzld_wire_decimal(req->qty, BZL_SCALE_QTY, "qty", &dv->qty_e5, fault);
    }
    if (st == BZL_OK && dv->qty_e5 <= 0) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "qty", "qty must be above 0");
    }
    if (st == BZL_OK) {
        st = bzld_wire_date(req->date, false, 0, "date", &dv->date, fault);
    }
    if (st == BZL_OK && strcmp(dv->book_no, dv->counterpart) == 0) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "counterpart_book",
                           "a transfer's counterpart is another book than %s", dv->book_no);
    }
    dv->kind = (uint8_t)kind;
    dv->item_no = req->item;
    dv->is_return = req->is_return;
    return st;
}
