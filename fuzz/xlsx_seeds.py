#!/usr/bin/env python3
"""Seeds for the `xlsx` fuzz target: small workbooks written by hand, as scripts write them
(no cached formula results, numbers beyond 2^53, error cells, inline and shared strings, two
sheets whose names differ by case). Writes fuzz/corpus/xlsx/seed-*.xlsx; run from the repo."""
import pathlib
import zipfile

OUT = pathlib.Path(__file__).resolve().parent / "corpus" / "xlsx"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
{sheets}
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""


def book(path, sheets, shared=()):
    """sheets: [(name, sheetData xml)]."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets="\n".join(
            f'<Override PartName="/xl/worksheets/sheet{i+1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(len(sheets)))))
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                   + "".join(f'<sheet name="{n}" sheetId="{i+1}" r:id="rId{i+1}"/>' for i, (n, _) in enumerate(sheets))
                   + "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   + "".join(f'<Relationship Id="rId{i+1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i+1}.xml"/>' for i in range(len(sheets)))
                   + f'<Relationship Id="rId{len(sheets)+1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                   + "</Relationships>")
        z.writestr("xl/sharedStrings.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(shared)}" uniqueCount="{len(shared)}">'
                   + "".join(f"<si><t>{s}</t></si>" for s in shared) + "</sst>")
        for i, (_, data) in enumerate(sheets):
            z.writestr(f"xl/worksheets/sheet{i+1}.xml",
                       '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                       '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                       f"<sheetData>{data}</sheetData></worksheet>")


def istr(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


header = "<row r=\"1\">" + "".join(istr(f"{c}1", h) for c, h in zip("ABCDEF", [
    "platform_id", "name", "district", "case_filed", "repayment_suspended", "red_flags"])) + "</row>"

OUT.mkdir(parents=True, exist_ok=True)
# A formula with no cached value, as openpyxl writes one.
book(OUT / "seed-formula-no-value.xlsx", [("platforms", header +
     '<row r="2">' + istr("A2", "P1") + istr("B2", "甲") + istr("C2", "鄂城区")
     + '<c r="E2"><f>1=1</f></c></row>'
     + '<row r="3">' + istr("A3", "P2") + '<c r="B3" t="str"><f>"乙"</f><v>乙</v></c>'
     + istr("C3", "华容区") + '<c r="E3" t="b"><f>1=2</f><v>0</v></c></row>'
     + '<row r="9"><c r="D9"><f>SUM(A1:A2)</f></c></row>')])
# Ids typed as numbers: exact, at 2^53 and beyond; a fraction; an error cell.
book(OUT / "seed-numbers.xlsx", [("lenders",
     '<row r="1">' + istr("A1", "lender_id") + istr("B1", "registered") + "</row>"
     '<row r="2"><c r="A2"><v>9007199254740991</v></c><c r="B2" t="b"><v>1</v></c></row>'
     '<row r="3"><c r="A3"><v>12345678901234567</v></c><c r="B3"><v>1</v></c></row>'
     '<row r="4"><c r="A4"><v>1.5</v></c><c r="B4" t="e"><v>#N/A</v></c></row>'
     '<row r="5"><c r="A5"><v>1E+300</v></c><c r="B5" t="e"><v>#DIV/0!</v></c></row>')])
# Shared strings and two sheets whose names differ by case and spaces.
book(OUT / "seed-two-sheets.xlsx", [
    ("lenders", '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>'),
    (" Lenders", '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c></row>'),
], shared=("lender_id", "L1", "=HYPERLINK(\"http://x\",\"y\")"))
print("wrote", *sorted(p.name for p in OUT.glob("seed-*.xlsx")))
