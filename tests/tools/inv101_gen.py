#!/usr/bin/env python3
"""inv101_gen.py OUT-DIR [LISTS [LINES]] — writes LISTS (default 10,000) INV101 import lists of
LINES (default 20) lines into OUT-DIR as G-000001.xml …, for the import bench
(tests/bench/inv101_import.sh). Every list is a 5000 (料件进出区) material import on book
H33012400001 of enterprise 3301230001, declared (DelcareFlag 1), passing every rule of
`bzl inv101 check`; line i moves material item i (HS 9114900000 + i mod 10, unit 007) with
quantity 10 + i, unit price 1.5 and total 1.5 × quantity. The ids G-000001 … are unique, so
each list is a new declaration."""
import os
import sys

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Package>
  <EnvelopInfo><version>1.0</version><message_type>INV101</message_type></EnvelopInfo>
  <DataInfo><BussinessData><DelcareFlag>1</DelcareFlag><InvtMessage>
    <SysId>Z7</SysId><OperCusRegCode>3301980123</OperCusRegCode>
    <InvtHeadType>
      <ChgTmsCnt>0</ChgTmsCnt><PutrecNo>H33012400001</PutrecNo><InvtType>0</InvtType>
      <EtpsInnerInvtNo>{id}</EtpsInnerInvtNo>
      <BizopEtpsno>3301230001</BizopEtpsno><BizopEtpsSccd>91330100MA2CFB8K1X</BizopEtpsSccd>
      <BizopEtpsNm>杭州综保区表业有限公司</BizopEtpsNm>
      <RcvgdEtpsno>3301230001</RcvgdEtpsno><RvsngdEtpsSccd>91330100MA2CFB8K1X</RvsngdEtpsSccd>
      <RcvgdEtpsNm>杭州综保区表业有限公司</RcvgdEtpsNm>
      <DclEtpsno>3301980123</DclEtpsno><DclEtpsSccd>91330100MA2B0G7Q5N</DclEtpsSccd>
      <DclEtpsNm>杭州关通报关有限公司</DclEtpsNm>
      <InputCode>3301980123</InputCode><InputCreditCode>91330100MA2B0G7Q5N</InputCreditCode>
      <InputName>杭州关通报关有限公司</InputName>
      <InputTime>20260315</InputTime><InvtDclTime>20260315</InvtDclTime>
      <ImpexpPortcd>2901</ImpexpPortcd><DclPlcCuscd>2992</DclPlcCuscd>
      <ImpexpMarkcd>I</ImpexpMarkcd><MtpckEndprdMarkcd>I</MtpckEndprdMarkcd>
      <SupvModecd>5000</SupvModecd><TrspModecd>2</TrspModecd>
      <DclcusFlag>2</DclcusFlag><GenDecFlag>2</GenDecFlag>
      <StshipTrsarvNatcd>110</StshipTrsarvNatcd><DclTypecd>1</DclTypecd>
    </InvtHeadType>
"""
LINE = """    <InvtListType>
      <GdsSeqno>{n}</GdsSeqno><PutrecSeqno>{n}</PutrecSeqno><GdsMtno>MV-{n}</GdsMtno>
      <Gdecd>{hs}</Gdecd><GdsNm>手表机芯 {n}</GdsNm><GdsSpcfModelDesc>0|0|机械|{n}型</GdsSpcfModelDesc>
      <DclUnitcd>007</DclUnitcd><LawfUnitcd>007</LawfUnitcd>
      <DclQty>{q}</DclQty><LawfQty>{q}</LawfQty><DclUprcAmt>1.5</DclUprcAmt>
      <DclTotalAmt>{t}</DclTotalAmt><DclCurrcd>502</DclCurrcd>
      <Natcd>110</Natcd><DestinationNatcd>142</DestinationNatcd>
      <LvyrlfModecd>3</LvyrlfModecd><ModfMarkcd>3</ModfMarkcd>
    </InvtListType>
"""
TAIL = "  </InvtMessage></BussinessData></DataInfo>\n</Package>\n"


def hs(i):
    return f"91149000{i % 10:02d}"


def main():
    out = sys.argv[1]
    lists = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    lines = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    os.makedirs(out, exist_ok=True)
    body = "".join(LINE.format(n=i, hs=hs(i), q=10 + i, t=f"{(10 + i) * 1.5:.2f}")
                   for i in range(1, lines + 1))
    for k in range(1, lists + 1):
        with open(os.path.join(out, f"G-{k:06d}.xml"), "w", encoding="utf-8") as f:
            f.write(HEAD.format(id=f"G-{k:06d}") + body + TAIL)


if __name__ == "__main__":
    main()
