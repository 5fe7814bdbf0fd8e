/* inv101_fields.c — the INV101 message's fields: element names as the customs client spells
 * them [GXB pkg/customs/sasmodels/inv101_models.go], lengths, forms and code tables from
 * next-wave.md A.2-A.4 (source keys in the comments). docs/INV101.md lists them; a test keeps
 * the two equal. */
#include "inv101_fields.h"

#include <string.h>

#define TEXT(t, l, m, req)                                                                         \
    {                                                                                              \
        t, l, m, 0, F_TEXT, 0, req, false, NULL                                                    \
    }
#define EXACT(t, l, n, req)                                                                        \
    {                                                                                              \
        t, l, n, n, F_TEXT, 0, req, false, NULL                                                    \
    }
#define DIGITS(t, l, n, exact, req)                                                                \
    {                                                                                              \
        t, l, n, exact, F_DIGITS, 0, req, false, NULL                                              \
    }
#define DEC(t, l, p, pos, req)                                                                     \
    {                                                                                              \
        t, l, 25, 0, F_DECIMAL, p, req, pos, NULL                                                  \
    }
#define DATE8(t, l, req)                                                                           \
    {                                                                                              \
        t, l, 8, 8, F_DATE8, 0, req, false, NULL                                                   \
    }
#define CODES(t, l, c, req)                                                                        \
    {                                                                                              \
        t, l, 2, 0, F_CODES, 0, req, false, c                                                      \
    }

/* Package/EnvelopInfo [PHP101; GXB commonmodels EnvelopInfo]. */
static const field envelope_fields[] = {
    TEXT("version", "版本号", 16, false),
    TEXT("business_id", "业务编号", 64, false),
    TEXT("message_id", "报文编号", 64, false),
    TEXT("file_name", "文件名", 128, false),
    {"message_type", "报文类型", 8, 0, F_CODES, 0, true, false, "INV101"},
    TEXT("sender_id", "发送方", 64, false),
    TEXT("receiver_id", "接收方", 64, false),
    TEXT("send_time", "发送时间", 32, false),
    TEXT("Ic_Card", "IC卡号", 20, false),
};

/* BussinessData/DelcareFlag (0 暂存, 1 申报) and InvtMessage's own fields [GXB; A.2]. */
static const field message_fields[] = {
    CODES("DelcareFlag", "申报标志", "0 1", true),
    TEXT("SysId", "系统标识", 8, false),
    EXACT("OperCusRegCode", "操作卡海关编码", 10, false),
};

/* InvtHeadType [A.3; element names GXB]. The last nine are customs' back-fills, accepted so a
 * file that echoes them reads back whole. */
/* 报关单类型 [A.3: REN, SASBL]. */
#define DEC_TYPES "1 2 3 4 5 6 B C F G H I J K L M N O P Q R S T U V X Y"
static const field head_fields[] = {
    EXACT("SeqNo", "预录入统一编号", 18, false),
    EXACT("BondInvtNo", "清单编号", 18, false),
    DIGITS("ChgTmsCnt", "变更次数", 9, 0, false),
    TEXT("PutrecNo", "手(账)册编号", 64, true),
    CODES("InvtType", "清单类型", "0 1 3 4 5 6 7 8 9", false),
    TEXT("EtpsInnerInvtNo", "企业内部清单编号", 64, true),
    EXACT("BizopEtpsno", "经营企业编号", 10, true),
    EXACT("BizopEtpsSccd", "经营企业社会信用代码", 18, true),
    TEXT("BizopEtpsNm", "经营企业名称", 512, true),
    EXACT("RcvgdEtpsno", "收发货企业编号", 10, true),
    EXACT("RvsngdEtpsSccd", "收发货企业社会信用代码", 18, true),
    TEXT("RcvgdEtpsNm", "收发货企业名称", 512, true),
    EXACT("DclEtpsno", "申报企业编号", 10, true),
    EXACT("DclEtpsSccd", "申报企业社会信用代码", 18, true),
    TEXT("DclEtpsNm", "申报企业名称", 512, true),
    EXACT("InputCode", "录入单位编号", 10, true),
    EXACT("InputCreditCode", "录入单位社会信用代码", 18, true),
    TEXT("InputName", "录入单位名称", 255, true),
    DATE8("InputTime", "录入日期", true),
    DATE8("InvtDclTime", "清单申报日期", true),
    TEXT("EntryNo", "对应报关单编号", 64, false),
    DATE8("EntryDclTime", "报关单申报日期", false),
    EXACT("CorrEntryDclEtpsNo", "对应报关单申报单位编号", 10, false),
    EXACT("CorrEntryDclEtpsSccd", "对应报关单申报单位社会信用代码", 18, false),
    TEXT("CorrEntryDclEtpsNm", "对应报关单申报单位名称", 512, false),
    TEXT("RltInvtNo", "关联清单编号", 64, false),
    TEXT("RltPutrecNo", "关联备案编号", 64, false),
    TEXT("RltEntryNo", "关联报关单编号", 64, false),
    EXACT("RltEntryBizopEtpsno", "关联报关单境内收发货人编号", 10, false),
    EXACT("RltEntryBizopEtpsSccd", "关联报关单境内收发货人社会信用代码", 18, false),
    TEXT("RltEntryBizopEtpsNm", "关联报关单境内收发货人名称", 512, false),
    EXACT("RltEntryRcvgdEtpsno", "关联报关单生产销售(消费使用)单位编号", 10, false),
    EXACT("RltEntryRvsngdEtpsSccd", "关联报关单生产销售(消费使用)单位社会信用代码", 18, false),
    TEXT("RltEntryRcvgdEtpsNm", "关联报关单生产销售(消费使用)单位名称", 512, false),
    EXACT("RltEntryDclEtpsno", "关联报关单申报单位编号", 10, false),
    EXACT("RltEntryDclEtpsSccd", "关联报关单申报单位社会信用代码", 18, false),
    TEXT("RltEntryDclEtpsNm", "关联报关单申报单位名称", 512, false),
    DIGITS("ImpexpPortcd", "进出境关别", 4, 4, true),
    DIGITS("DclPlcCuscd", "主管海关", 4, 4, true),
    CODES("ImpexpMarkcd", "进出口标志", "I E", true),
    CODES("MtpckEndprdMarkcd", "料件成品标志", "I E", true),
    DIGITS("SupvModecd", "监管方式", 4, 4, true),
    EXACT("TrspModecd", "运输方式", 1, true),
    TEXT("ApplyNo", "申请表编号", 64, false),
    CODES("ListType", "流转类型", "A B C D E", false),
    CODES("DclcusFlag", "是否报关", "1 2", true),
    CODES("DclcusTypecd", "报关类型", "1 2", false),
    CODES("DecType", "报关单类型", DEC_TYPES, false),
    CODES("GenDecFlag", "是否生成报关单", "1 2", true),
    DIGITS("StshipTrsarvNatcd", "起运/运抵国(地区)", 3, 3, true),
    CODES("DclTypecd", "申报类型", "1 2 3", true),
    TEXT("IcCardNo", "申报人IC卡号", 20, false),
    TEXT("Rmk", "备注", 4000, false),
    DEC("LevyBlAmt", "计征金额", 5, false, false),
    /* back-filled by customs [A.3] */
    TEXT("BondInvtTypecd", "清单类型(回执)", 2, false),
    TEXT("ListStat", "清单状态", 2, false),
    TEXT("VrfdedMarkcd", "核扣标记", 2, false),
    TEXT("InvtIochkptStucd", "清单进出卡口状态", 2, false),
    TEXT("PassportUsedTypeCd", "核放单生成标志", 2, false),
    TEXT("EntryStucd", "报关状态", 2, false),
    TEXT("NeedEntryModified", "报关单同步修改标志", 2, false),
    TEXT("PrevdTime", "预核扣时间", 32, false),
    TEXT("FormalVrfdedTime", "正式核扣时间", 32, false),
};

/* InvtListType [A.4; element names GXB]. */
static const field line_fields[] = {
    EXACT("SeqNo", "中心统一编号", 18, false),
    DIGITS("GdsSeqno", "商品序号", 19, 0, true),
    /* GXB lets it be empty; bzl needs it: it is the book item the line moves (C) */
    DIGITS("PutrecSeqno", "备案序号", 19, 0, true),
    TEXT("GdsMtno", "商品料号", 32, true),
    DIGITS("Gdecd", "商品编码", 10, 10, true),
    TEXT("GdsNm", "商品名称", 512, true),
    TEXT("GdsSpcfModelDesc", "规格型号", 255, true),
    DIGITS("DclUnitcd", "申报计量单位", 3, 3, true),
    DIGITS("LawfUnitcd", "法定计量单位", 3, 3, true),
    DIGITS("SecdLawfUnitcd", "第二法定计量单位", 3, 3, false),
    DEC("DclQty", "申报数量", 5, true, true),
    DEC("LawfQty", "法定数量", 5, true, true),
    DEC("SecdLawfQty", "第二法定数量", 5, true, false),
    DEC("DclUprcAmt", "企业申报单价", 4, true, true),
    DEC("DclTotalAmt", "企业申报总价", 2, true, true),
    DIGITS("DclCurrcd", "申报币制", 3, 3, true),
    DEC("UsdStatTotalAmt", "美元统计总金额", 5, false, false),
    DIGITS("Natcd", "原产国(地区)", 3, 3, true),
    DIGITS("DestinationNatcd", "最终目的国(地区)", 3, 3, true),
    CODES("LvyrlfModecd", "征免方式", "1 2 3 4 5 6 7 8 9", true),
    DEC("WtSfVal", "重量比例因子", 9, false, false),
    DEC("FstSfVal", "第一比例因子", 9, false, false),
    DEC("SecdSfVal", "第二比例因子", 9, false, false),
    DEC("GrossWt", "毛重", 5, false, false),
    DEC("NetWt", "净重", 5, false, false),
    TEXT("UcnsVerno", "单耗版本号", 8, false),
    TEXT("ClyMarkcd", "归类标记/危化品标志", 4, false),
    DIGITS("EntryGdsSeqno", "报关单商品序号", 19, 0, false),
    DIGITS("ApplyTbSeqno", "流转申报表序号", 19, 0, false),
    CODES("UseCd", "重点商品标识", "0 1 2 3", false),
    CODES("ModfMarkcd", "修改标志", "0 1 2 3", true),
    TEXT("Rmk", "备注", 4000, false),
    DEC("ActlPassQty", "实际过卡数量", 5, false, false),
    DEC("PassportUsedQty", "已生成核放单数量", 5, false, false),
};

const table inv101_tables[INV101_GROUPS] = {
    [INV101_ENVELOPE] = {envelope_fields, BZL_ARRAY_LEN(envelope_fields), "EnvelopInfo"},
    [INV101_MESSAGE] = {message_fields, BZL_ARRAY_LEN(message_fields), "InvtMessage"},
    [INV101_HEAD] = {head_fields, BZL_ARRAY_LEN(head_fields), "InvtHeadType"},
    [INV101_LINE] = {line_fields, BZL_ARRAY_LEN(line_fields), "InvtListType"},
};
static_assert(H_LEVY_BL_AMT < BZL_ARRAY_LEN(head_fields), "head indices within the table");
static_assert(L_DCL_CURRCD < BZL_ARRAY_LEN(line_fields), "line indices within the table");

size_t
inv101_field_count(inv101_group g)
{
    BZL_ASSERT(g < INV101_GROUPS);
    return inv101_tables[g].count;
}

const char *
inv101_field_tag(inv101_group g, size_t i)
{
    BZL_ASSERT(g < INV101_GROUPS);
    return i < inv101_tables[g].count ? inv101_tables[g].fields[i].tag : NULL;
}

int
inv101_field_find(inv101_group g, const char *tag)
{
    BZL_ASSERT(g < INV101_GROUPS);
    for (size_t i = 0; i < inv101_tables[g].count; i++) {
        if (strcmp(inv101_tables[g].fields[i].tag, tag) == 0) {
            return (int)i;
        }
    }
    return -1;
}
