#!/usr/bin/env python3
"""Makes the format fixtures of tests/formats.rs from the seed plan.

Run from the repository root: python3 tests/plans/formats/make.py
Needs: python-docx, openpyxl, msoffcrypto-tool (pip) and LibreOffice (Debian:
libreoffice-writer-nogui libreoffice-calc-nogui) for the .ods/.xls/.pdf conversions, and
poppler-utils (Debian) for pdftotext.
The outputs are committed; this script documents exactly how each was made.
"""

import copy
import csv
import io
import os
import re
import subprocess
import zipfile

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
import openpyxl
from openpyxl.styles import Alignment

OUT = "tests/plans/formats"
SEED = open("seeds/2010年数字福建工作要点.txt", encoding="utf-8").read()
LINES = SEED.split("\n")
TITLE, PREAMBLE = LINES[0], LINES[1]
CN = "一二三四五六七八九十"

# ---- the seed's outline -----------------------------------------------------------------
sections = []  # (name, [(number, body)])
for line in LINES[2:]:
    if not line.strip():
        continue
    m = re.match(r"^\((.{1,3})\)(.*)$", line)
    if m:
        sections[-1][1].append(m.group(2))
    else:
        sections.append((line, []))

CLAUSE = re.compile(r"\(([^()]*(?:牵头|负责|配合)[^()]*)\)")


def split_owners(body):
    """Task text without owner clauses, and the lead/support/responsible names."""
    lead, support, resp = [], [], []
    for clause in CLAUSE.findall(body):
        for seg in re.split("[，]", clause):
            for word, bucket in (("牵头负责", lead), ("牵头", lead), ("配合", support), ("负责", resp)):
                if seg.endswith(word):
                    bucket.append(seg[: -len(word)])
                    break
    text = CLAUSE.sub("", body)
    return text, "、".join(lead), "、".join(support), "、".join(resp)


def task_rows():
    """(section row | task row) for the seed as a task-division table."""
    rows = []
    for si, (name, items) in enumerate(sections):
        rows.append(("section", f"{CN[si]}、{name}"))
        for k, body in enumerate(items, 1):
            text, lead, support, resp = split_owners(body)
            rows.append(("task", [k, text, lead, support, resp, "2010年底" if k == 1 else ""]))
    return rows


HEADER = ["序号", "重点任务", "牵头单位", "配合单位", "责任单位", "完成时限"]

# ---- text encodings ---------------------------------------------------------------------
open(f"{OUT}/seed-gb18030.txt", "wb").write(SEED.encode("gb18030"))
open(f"{OUT}/seed-utf16.txt", "wb").write(b"\xff\xfe" + SEED.encode("utf-16-le"))
open(f"{OUT}/seed-bom.txt", "wb").write(b"\xef\xbb\xbf" + SEED.encode("utf-8"))

# ---- the seed as a saved government web page ----------------------------------------------
esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
html = [
    "<!DOCTYPE html>",
    '<html lang="zh-CN"><head><meta charset="utf-8">',
    f"<title>{esc(TITLE)}_福建省人民政府门户网站</title>",
    "<style>p { text-indent: 2em; } .nav a { color: #333; }</style>",
    "<script>var _hmt = _hmt || []; document.write('<p>统计代码</p>');</script>",
    "</head>",
    "<body>",
    '<nav class="nav"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/hdjl/">互动交流</a></nav>',
    '<div class="article">',
    f"<h1>{esc(TITLE)}</h1>",
    f"<p>　　{esc(PREAMBLE)}</p>",
]
for name, items in sections:
    html.append(f"<p><strong>{esc(name)}</strong></p>")
    for k, body in enumerate(items, 1):
        html.append(f"<p>　　({CN[k-1]}){esc(body)}</p>")
html += ["</div>", "<footer>主办：福建省人民政府办公厅　网站标识码：3500000001</footer>", "</body></html>", ""]
open(f"{OUT}/seed.html", "w", encoding="utf-8").write("\n".join(html))

# ---- the seed as a task-division spreadsheet (openpyxl; merged title and section rows) ----
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "任务分解"
ws.append([f"{TITLE}任务分解表"])
ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
ws.append(HEADER)
for kind, row in task_rows():
    if kind == "section":
        ws.append([row])
        r = ws.max_row
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(HEADER))
    else:
        ws.append(row)
for row in ws.iter_rows():
    for c in row:
        c.alignment = Alignment(wrap_text=True, vertical="center")
# A second sheet that is not a task table (a contact list): it must be ignored.
contacts = wb.create_sheet("联系人")
contacts.append(["单位", "联系人", "电话"])
contacts.append(["省数字办", "张三", "0591-0000000"])
wb.save(f"{OUT}/seed-tasks.xlsx")

# The same table as CSV (UTF-8 with BOM, as Excel saves it) and TSV.
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\r\n")
w.writerow([f"{TITLE}任务分解表"] + [""] * (len(HEADER) - 1))
w.writerow(HEADER)
for kind, row in task_rows():
    w.writerow([row] + [""] * (len(HEADER) - 1) if kind == "section" else row)
open(f"{OUT}/seed-tasks.csv", "wb").write(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
with open(f"{OUT}/seed-tasks.tsv", "w", encoding="utf-8", newline="") as f:
    f.write("\t".join(HEADER) + "\n")
    for kind, row in task_rows():
        f.write(row + "\n" if kind == "section" else "\t".join(str(c) for c in row) + "\n")

# ---- the seed as Word with automatic numbering (python-docx + numbering.xml) -------------
NUMBERING = (
    '<w:abstractNum %s w:abstractNumId="90">'
    '<w:multiLevelType w:val="multilevel"/>'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
    '<w:lvlText w:val="%%1、"/><w:lvlJc w:val="left"/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
    '<w:lvlText w:val="（%%2）"/><w:lvlJc w:val="left"/></w:lvl>'
    '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
    '<w:lvlText w:val="%%3."/><w:lvlJc w:val="left"/></w:lvl>'
    "</w:abstractNum>"
) % nsdecls("w")


def numbered_document():
    doc = Document()
    numbering = doc.part.numbering_part.element
    numbering.insert(0, parse_xml(NUMBERING))  # abstractNums precede nums
    numbering.append(parse_xml('<w:num %s w:numId="90"><w:abstractNumId w:val="90"/></w:num>' % nsdecls("w")))
    return doc


def numbered(doc, text, ilvl):
    p = doc.add_paragraph(text)
    p._p.get_or_add_pPr().append(
        parse_xml('<w:numPr %s><w:ilvl w:val="%d"/><w:numId w:val="90"/></w:numPr>' % (nsdecls("w"), ilvl))
    )
    return p


doc = numbered_document()
doc.add_paragraph(TITLE)
doc.add_paragraph(PREAMBLE)
for name, items in sections:
    numbered(doc, name, 0)
    for body in items:
        numbered(doc, body, 1)
doc.save(f"{OUT}/seed-numbered.docx")

# ---- a Word plan mixing prose and a task table with merged cells ---------------------------
doc = numbered_document()
doc.add_paragraph("2025年数据工作要点")
doc.add_paragraph("为加快数据要素市场化配置，制定本要点。")
numbered(doc, "夯实数据基础设施", 0)
numbered(doc, "建设全省一体化算力网络，新建数据中心机架5000个。（省数据管理局牵头，省通信管理局配合）", 1)
numbered(doc, "推进公共数据开放，开放数据集200个以上。（省数据管理局负责）", 1)
doc.add_paragraph("附件：重点任务分解表")
table = doc.add_table(rows=1, cols=5)
for c, h in zip(table.rows[0].cells, ["序号", "工作任务", "牵头单位", "配合单位", "责任领导"]):
    c.text = h
rows = [
    ("一、数字政府", None, None, None, None),
    ("1", "建成一网通办平台，接入事项3000项。", "省政务服务中心", "各设区市", "王五"),
    ("2", "推进电子证照应用，新增证照类型100类。", "省政务服务中心", "省公安厅、省市场监管局", "王五"),
    ("二、数字社会", None, None, None, None),
    ("1", "建设智慧社区500个。", "省民政厅", "", "赵六"),
]
for row in rows:
    cells = table.add_row().cells
    if row[1] is None:
        merged = cells[0].merge(cells[4])
        merged.text = row[0]
    else:
        for c, v in zip(cells, row):
            c.text = v
# 省政务服务中心 leads tasks 1 and 2: one vertically merged cell, as such tables are drawn.
a = table.rows[2].cells[2]
b = table.rows[3].cells[2]
a.merge(b)
a.text = "省政务服务中心"
doc.save(f"{OUT}/mixed.docx")

# ---- a text file mixing prose and text tables (tab, |, aligned) -----------------------------
open(f"{OUT}/mixed-tables.txt", "w", encoding="utf-8").write(
    "2025年数据工作要点\n"
    "为加快数据要素市场化配置，制定本要点。\n"
    "一、夯实数据基础设施\n"
    "(一)建设全省一体化算力网络，新建数据中心机架5000个。（省数据管理局牵头，省通信管理局配合）\n"
    "\n"
    "附件1：数字政府任务\n"
    "| 序号 | 工作任务 | 牵头单位 | 配合单位 |\n"
    "|---|---|---|---|\n"
    "| 1 | 建成一网通办平台，接入事项3000项。 | 省政务服务中心 | 各设区市 |\n"
    "| 2 | 推进电子证照应用。 | 省政务服务中心 | 省公安厅、市场监管局 |\n"
    "\n"
    "附件2：数字社会任务\n"
    "序号\t主要任务\t责任单位\t联系人\n"
    "1\t建设智慧社区500个。\t省民政厅\t赵六\n"
    "\n"
    "附件3：数字经济任务\n"
    "编号  具体措施                      牵头部门      时间节点\n"
    "1     培育数据企业100家以上。       省工信厅      2025年12月底\n"
    "2     建设数据交易场所。            省发改委      2025年6月\n"
)

# ---- bad input ------------------------------------------------------------------------------
with zipfile.ZipFile(f"{OUT}/not-office.zip", "w") as z:
    z.writestr("readme.txt", "数字福建")
with zipfile.ZipFile(f"{OUT}/no-document.docx", "w") as z:
    z.writestr("[Content_Types].xml", "<Types/>")
    z.writestr("word/styles.xml", "<w:styles/>")
wb = openpyxl.Workbook()
wb.active.append(["单位", "联系人", "电话"])
wb.active.append(["省数字办", "张三", "0591-0000000"])
wb.save(f"{OUT}/no-task-table.xlsx")


def convert(src, fmt, outdir="/tmp/planq-fixtures"):
    os.makedirs(outdir, exist_ok=True)
    subprocess.run(["soffice", "--headless", "--convert-to", fmt, "--outdir", outdir, src],
                   check=True, capture_output=True)
    return os.path.join(outdir, os.path.splitext(os.path.basename(src))[0] + "." + fmt.split(":")[0])


# LibreOffice conversions of the task spreadsheet and a PDF of the numbered Word seed.
os.replace(convert(f"{OUT}/seed-tasks.xlsx", "ods"), f"{OUT}/seed-tasks.ods")
os.replace(convert(f"{OUT}/seed-tasks.xlsx", 'xls:MS Excel 97'), f"{OUT}/seed-tasks.xls")
os.replace(convert(f"{OUT}/seed-numbered.docx", "pdf"), f"{OUT}/seed.pdf")

# A task sheet with vertically merged lead and deadline cells (openpyxl), and its LibreOffice
# .ods copy: a merged cell covers every task it spans, in both formats.
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "重点任务"
ws.append(["序号", "工作任务", "牵头单位", "配合单位", "完成时限"])
ws.append(["一、数字政府"])
ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=5)
ws.append(["1", "建成一网通办平台，接入事项3000项。", "省政务服务中心", "各设区市", "2025年6月底前"])
ws.append(["2", "推进电子证照应用，新增证照类型100类。", None, "省公安厅、省市场监管局", "2025年底前"])
ws.append(["3", "建设智慧社区500个。", "省民政厅", "", None])
ws.merge_cells(start_row=3, start_column=3, end_row=4, end_column=3)
ws.merge_cells(start_row=4, start_column=5, end_row=5, end_column=5)
wb.save(f"{OUT}/merged-cells.xlsx")
os.replace(convert(f"{OUT}/merged-cells.xlsx", "ods"), f"{OUT}/merged-cells.ods")

# The PDF as an analyst turns it into text (poppler-utils' pdftotext, as planq's PDF refusal
# advises): hard-wrapped lines, spaces between Chinese and digits.
subprocess.run(["pdftotext", f"{OUT}/seed.pdf", f"{OUT}/seed-pdftotext.txt"], check=True)
subprocess.run(["pdftotext", "-layout", f"{OUT}/seed.pdf", f"{OUT}/seed-pdftotext-layout.txt"], check=True)

# A password-protected copy of the spreadsheet (msoffcrypto-tool, the Office encryption).
try:
    import msoffcrypto.format.ooxml

    with open(f"{OUT}/seed-tasks.xlsx", "rb") as src, open(f"{OUT}/encrypted.xlsx", "wb") as dst:
        f = msoffcrypto.format.ooxml.OOXMLFile(src)
        f.encrypt("planq", dst)
except Exception as e:  # pragma: no cover - only when the tool is missing
    print("encrypted.xlsx not made:", e)
print("fixtures written to", OUT)
