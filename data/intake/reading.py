"""An uploaded file as a table of text cells, or a refusal that says why.

CSV must be UTF-8 (a byte-order mark and Windows line endings are fine). XLSX is read with
openpyxl without evaluating anything: a cell holding a formula refuses the file, named by its
reference. Macro workbooks, encrypted or password-protected ones, old .xls files, HTML or
binary content under a .csv or .xlsx name, empty files and files with a header only are
refused too. The frame's index is each row's number in the file (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import PurePath

import pandas as pd
from openpyxl import load_workbook

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML and old .xls are OLE files
SHOWN_REFERENCES = 10
MAX_UNPACKED_BYTES = 250_000_000  # an XLSX is a zip: what it may hold once unpacked


class FileRefused(ValueError):
    """The file cannot be read as a table: `code` names the reason (a text key), `params`
    fill it in."""

    def __init__(self, code: str, **params):
        super().__init__(f"{code}: {params}" if params else code)
        self.code, self.params = code, params


def read_table(file_name: str, content: bytes) -> pd.DataFrame:
    """The file's first sheet (or the CSV) as text cells, blank rows left out."""
    suffix = PurePath(file_name or "").suffix.lower()
    if not content:
        raise FileRefused("file_empty")
    if suffix in (".xlsm", ".xltm", ".xlsb", ".xls"):
        raise FileRefused("file_macro_or_old", suffix=suffix)
    if suffix == ".csv":
        grid = _csv_grid(content)
    elif suffix == ".xlsx":
        grid = pd.DataFrame(_xlsx_rows(content), dtype=str).fillna("")
    else:
        raise FileRefused("file_type", suffix=suffix or "-")
    return _frame(grid)


def _csv_grid(content: bytes) -> pd.DataFrame:
    """Every line of the CSV as text cells (pandas' C parser: fast at 100,000 rows)."""
    if b"\x00" in content[:4096]:
        raise FileRefused("file_binary")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused("file_not_utf8", position=error.start) from None
    if text.lstrip()[:1] == "<":
        raise FileRefused("file_html")
    if not text.strip():
        raise FileRefused("file_empty")
    width = max(len(row) for row in csv.reader(io.StringIO(text[:65536], newline="")))
    try:
        return pd.read_csv(io.StringIO(text), header=None, dtype=str, na_filter=False, skip_blank_lines=False,
                           names=range(width), engine="c")
    except (pd.errors.ParserError, csv.Error) as error:
        raise FileRefused("file_malformed", detail=str(error).strip()) from None


def _xlsx_rows(content: bytes) -> list[list[str]]:
    if content.startswith(OLE_MAGIC):
        raise FileRefused("file_encrypted")
    if not content.startswith(ZIP_MAGIC):
        raise FileRefused("file_not_xlsx")
    _check_archive(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        try:
            return _sheet_rows(workbook.worksheets[0])
        finally:
            workbook.close()
    except FileRefused:
        raise
    except Exception:  # whatever openpyxl meets in a damaged or hostile workbook: a refusal, not a 500
        raise FileRefused("file_not_xlsx") from None


def _check_archive(content: bytes) -> None:
    """No macros, and no more than MAX_UNPACKED_BYTES once unpacked (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        raise FileRefused("file_not_xlsx") from None
    if any(entry.filename.lower().endswith("vbaproject.bin") for entry in entries):
        raise FileRefused("file_macro_or_old", suffix=".xlsm")
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise FileRefused("file_unpacked_too_large", size=MAX_UNPACKED_BYTES // 1_000_000)


def _sheet_rows(sheet) -> list[list[str]]:
    rows, formulas = [], []
    for cells in sheet.iter_rows():
        row = []
        for cell in cells:
            if cell.data_type == "f":
                formulas.append(cell.coordinate)
            row.append(_cell_text(cell.value))
        rows.append(row)
    if formulas:
        shown = ", ".join(formulas[:SHOWN_REFERENCES]) + (" …" if len(formulas) > SHOWN_REFERENCES else "")
        raise FileRefused("file_formulas", cells=shown, count=len(formulas))
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _frame(grid: pd.DataFrame) -> pd.DataFrame:
    """The header row and the non-blank rows below it, each numbered as in the file."""
    grid = grid.apply(lambda column: column.str.strip())
    grid.index = range(1, len(grid) + 1)
    grid = grid[(grid != "").any(axis=1)]
    if grid.empty or grid.index[0] != 1:
        raise FileRefused("file_empty")
    header = list(grid.iloc[0])
    while header and not header[-1]:
        header.pop()
    _check_header(header)
    body = grid.iloc[1:]
    extra = body.iloc[:, len(header):]
    if not extra.empty and (extra != "").any(axis=None):
        number = int((extra != "").any(axis=1).idxmax())
        raise FileRefused("file_ragged", row=number, columns=len(header))
    if body.empty:
        raise FileRefused("file_header_only")
    body = body.iloc[:, :len(header)]
    body.columns = header
    body.index.name = "row"
    return body


def _check_header(header: list[str]) -> None:
    if "" in header:
        raise FileRefused("file_blank_header", position=header.index("") + 1)
    seen = set()
    for name in header:
        if name.lower() in seen:
            raise FileRefused("file_duplicate_column", column=name)
        seen.add(name.lower())
