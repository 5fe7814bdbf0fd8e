/* inv101_fields.h — the INV101 message's field tables, shared by inv101_fields.c (the tables)
 * and inv101.c (reading, checking and writing); private to clients/inv101. */
#ifndef BZL_INV101_FIELDS_H
#define BZL_INV101_FIELDS_H

#include "inv101.h"

typedef enum form {
    F_TEXT,    /* any text up to max characters (exact when set) */
    F_DIGITS,  /* ASCII digits only */
    F_DECIMAL, /* digits with an optional fraction of at most `places` digits, no sign */
    F_DATE8,   /* yyyyMMdd, a calendar date */
    F_CODES,   /* one of `codes` */
} form;

typedef struct field {
    const char *tag;   /* the element's name in the message */
    const char *label; /* its name on the customs form */
    uint16_t max;      /* characters at most (UTF-8 code points) */
    uint8_t exact;     /* characters exactly; 0 for any count up to max */
    uint8_t form;      /* form */
    uint8_t places;    /* F_DECIMAL: decimals at most */
    bool required;
    bool positive;     /* F_DECIMAL: must be > 0 */
    const char *codes; /* F_CODES: the values allowed, space-separated */
} field;

typedef struct table {
    const field *fields;
    size_t count;
    const char *element; /* the group's element, for paths */
} table;

/* The four groups' tables, in inv101_group order. */
extern const table inv101_tables[INV101_GROUPS];

/* Indices of the fields the rules read, in their tables' order (static_asserts in
 * inv101_fields.c keep them there). */
enum { MSG_DELCARE_FLAG = 0 };
enum {
    H_SEQ_NO = 0,
    H_BOND_INVT_NO,
    H_CHG_TMS_CNT,
    H_PUTREC_NO,
    H_INVT_TYPE,
    H_ETPS_INNER_INVT_NO,
    H_BIZOP_NO,
    H_BIZOP_SCCD,
    H_BIZOP_NM,
    H_RCVGD_NO,
    H_RVSNGD_SCCD,
    H_RCVGD_NM,
    H_DCL_NO,
    H_DCL_SCCD,
    H_DCL_NM,
    H_INPUT_CODE,
    H_INPUT_SCCD,
    H_INPUT_NAME,
    H_INPUT_TIME,
    H_INVT_DCL_TIME,
    H_ENTRY_NO,
    H_ENTRY_DCL_TIME,
    H_CORR_NO,
    H_CORR_SCCD,
    H_CORR_NM,
    H_RLT_INVT_NO,
    H_RLT_PUTREC_NO,
    H_RLT_ENTRY_NO,
    H_RLT_BIZOP_NO,
    H_RLT_BIZOP_SCCD,
    H_RLT_BIZOP_NM,
    H_RLT_RCVGD_NO,
    H_RLT_RVSNGD_SCCD,
    H_RLT_RCVGD_NM,
    H_RLT_DCL_NO,
    H_RLT_DCL_SCCD,
    H_RLT_DCL_NM,
    H_IMPEXP_PORTCD,
    H_DCL_PLC_CUSCD,
    H_IMPEXP_MARKCD,
    H_MTPCK_ENDPRD_MARKCD,
    H_SUPV_MODECD,
    H_TRSP_MODECD,
    H_APPLY_NO,
    H_LIST_TYPE,
    H_DCLCUS_FLAG,
    H_DCLCUS_TYPECD,
    H_DEC_TYPE,
    H_GEN_DEC_FLAG,
    H_STSHIP_NATCD,
    H_DCL_TYPECD,
    H_IC_CARD_NO,
    H_RMK,
    H_LEVY_BL_AMT,
};
enum {
    L_SEQ_NO = 0,
    L_GDS_SEQNO,
    L_PUTREC_SEQNO,
    L_GDS_MTNO,
    L_GDECD,
    L_GDS_NM,
    L_GDS_SPCF,
    L_DCL_UNITCD,
    L_LAWF_UNITCD,
    L_SECD_LAWF_UNITCD,
    L_DCL_QTY,
    L_LAWF_QTY,
    L_SECD_LAWF_QTY,
    L_DCL_UPRC_AMT,
    L_DCL_TOTAL_AMT,
    L_DCL_CURRCD,
};

#endif
