"""The PDF brief (reportlab): headline index, the indicators with status and targets, and
charts, for one selection, in English or Arabic. reportlab neither joins Arabic letters nor
orders right-to-left text, so Arabic is shaped (arabic-reshaper), broken into lines and put in
display order (python-bidi) here, and each run of text is set in the Noto font that has its
glyphs (Noto Naskh Arabic has no Latin letters, Noto Sans no Arabic)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import arabic_reshaper
import pandas as pd
from bidi import get_display
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from data.catalog import INDEX_ID, catalog
from layouts.components import change_text, shown_change
from layouts.format import format_number, format_time
from layouts.text import direction, other_language, t

FONT_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/opentype/noto"))
FONTS = {"Hub": "NotoSans-Regular.ttf", "Hub-Bold": "NotoSans-Bold.ttf", "HubArabic": "NotoNaskhArabic-Regular.ttf",
         "HubArabic-Bold": "NotoNaskhArabic-Bold.ttf"}
STATUS_FILL = {"green": colors.HexColor("#d1e7dd"), "amber": colors.HexColor("#fff3cd"),
               "red": colors.HexColor("#f8d7da")}


@dataclass(frozen=True)
class Brief:
    title: str
    subtitle: str
    snapshot: pd.DataFrame  # the data layer's indicator snapshot for the selection
    charts: list[tuple[str, bytes]]  # (caption, PNG)
    chart_note: str | None  # why charts are missing, when they are
    versions: dict[str, str]  # the tenant's weights and targets versions in words
    lang: str = "en"
    narrative: tuple[str, ...] = ()  # the summary in words (services/narrative.py)


def fonts() -> dict[str, str]:
    """Register the Noto fonts once; fall back to Helvetica (without Arabic) if missing."""
    found = {}
    for name, filename in FONTS.items():
        path = next((d / filename for d in FONT_DIRS if (d / filename).exists()), None)
        if path is not None:
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(path)))
            found[name] = name
    return {
        "regular": found.get("Hub", "Helvetica"),
        "bold": found.get("Hub-Bold", "Helvetica-Bold"),
        "arabic": found.get("HubArabic"),
        "arabic_bold": found.get("HubArabic-Bold", found.get("HubArabic")),
    }


def arabic(text: str) -> str:
    """Arabic letters joined and ordered right to left for a renderer that does neither."""
    return get_display(arabic_reshaper.reshape(text))


class Writer:
    """Paragraphs in the brief's language: Arabic lines broken, shaped and ordered here, each
    run of characters in a font that has them."""

    def __init__(self, lang: str, font: dict):
        self.lang, self.font = lang, font
        self.rtl = direction(lang) == "rtl" and font["arabic"] is not None
        self._arabic_glyphs = pdfmetrics.getFont(font["arabic"]).face.charToGlyph if font["arabic"] else {}

    def paragraph(self, text: str, style: ParagraphStyle, width: float) -> Paragraph:
        if not self.rtl:
            return Paragraph(_escape(text), style)
        bold = style.fontName == self.font["bold"]
        lines = self._lines(text, style.fontSize, width)
        return Paragraph("<br/>".join(self._runs(arabic(line).translate(MARKS), bold) for line in lines), style)

    def _runs(self, visual: str, bold: bool) -> str:
        """Markup setting Arabic-script runs in the Arabic font and the rest in the Latin one,
        both bold for a bold style."""
        arabic_font, latin_font = (self.font["arabic_bold"], self.font["bold"]) if bold else \
            (self.font["arabic"], self.font["regular"])
        parts, current, run = [], None, ""
        for char in visual:
            font = arabic_font if ord(char) in self._arabic_glyphs and not char.isspace() \
                and not char.isdigit() else latin_font
            if font != current and run:
                parts.append((current, run))
                run = ""
            current, run = font, run + char
        if run:
            parts.append((current, run))
        return "".join(f'<font name="{font}">{_escape(text)}</font>' for font, text in parts)

    def _width(self, text: str, size: float) -> float:
        return sum(stringWidth(c, self.font["arabic"] if ord(c) in self._arabic_glyphs else self.font["regular"],
                               size) for c in arabic_reshaper.reshape(text))

    def _lines(self, text: str, size: float, width: float) -> list[str]:
        """Words in reading order, broken into lines that fit `width`."""
        lines, line = [], ""
        for word in text.split():
            candidate = f"{line} {word}".strip()
            if line and self._width(candidate, size) > width:
                lines.append(line)
                candidate = word
            line = candidate
        return [*lines, line] if line else lines


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


CONTENT_WIDTH = A4[0] - 32 * mm
MARKS = str.maketrans("", "", "\u200e\u200f")  # direction marks: used by the bidi step, never drawn


def brief_pdf(brief: Brief) -> bytes:
    font = fonts()
    lang = brief.lang
    write = Writer(lang, font)
    align = {"alignment": TA_RIGHT} if write.rtl else {}
    styles = {
        "title": ParagraphStyle("title", fontName=font["bold"], fontSize=17, leading=23, spaceAfter=4, **align),
        "subtitle": ParagraphStyle("subtitle", fontName=font["regular"], fontSize=9, leading=13,
                                   textColor=colors.HexColor("#495057"), spaceAfter=10, **align),
        "head": ParagraphStyle("head", fontName=font["bold"], fontSize=12, leading=16, spaceBefore=8, spaceAfter=6,
                               **align),
        "body": ParagraphStyle("body", fontName=font["regular"], fontSize=9, leading=13, **align),
        "big": ParagraphStyle("big", fontName=font["bold"], fontSize=30, leading=36, **align),
    }
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm,
                                 topMargin=14 * mm, bottomMargin=14 * mm, title=brief.title,
                                 author=t("app_title", lang), lang=lang, subject=_versions_text(brief))
    story = [write.paragraph(brief.title, styles["title"], CONTENT_WIDTH),
             write.paragraph(brief.subtitle, styles["subtitle"], CONTENT_WIDTH),
             write.paragraph(_versions_text(brief), styles["subtitle"], CONTENT_WIDTH)]
    story += _headline(brief.snapshot, styles, write)
    story += _narrative(brief.narrative, styles, write)
    story += _charts(brief.charts[:1], styles, brief.chart_note, write)
    story.append(PageBreak())
    story.append(write.paragraph(t("pdf_indicators", lang), styles["head"], CONTENT_WIDTH))
    story.append(_indicator_table(brief.snapshot, font, write))
    if len(brief.charts) > 1:
        story.append(PageBreak())
        story += _charts(brief.charts[1:], styles, None, write)
    document.build(story)
    return buffer.getvalue()


def _headline(snapshot: pd.DataFrame, styles, write: Writer) -> list:
    lang = write.lang
    row = snapshot.set_index("indicator_id").loc[INDEX_ID]
    indicator = catalog()[INDEX_ID]
    if pd.isna(row["value"]):
        return [write.paragraph(f"{t('index_title', lang)}: {t('index_insufficient', lang)}", styles["head"],
                                CONTENT_WIDTH)]
    changes = [f"{change_text(shown_change(row[column], indicator)[0], indicator, lang)} {t(column, lang)}"
               for column in ("change_previous", "change_year_ago") if not pd.isna(row[column])]
    status = _status_word(row["status"], lang)
    value = format_number(row["value"], indicator.decimals, lang)
    return [
        write.paragraph(t("index_title", lang), styles["head"], CONTENT_WIDTH),
        write.paragraph(f"{value} {indicator.unit(lang)} · {status}", styles["big"], CONTENT_WIDTH),
        Spacer(1, 4),
        write.paragraph("؛ ".join(changes) if write.rtl else "; ".join(changes), styles["body"], CONTENT_WIDTH),
        Spacer(1, 8),
    ]


def _narrative(sentences: tuple[str, ...], styles, write: Writer) -> list:
    if not sentences:
        return []
    return [write.paragraph(t("story_heading", write.lang), styles["head"], CONTENT_WIDTH),
            *(write.paragraph(sentence, styles["body"], CONTENT_WIDTH) for sentence in sentences), Spacer(1, 8)]


def _charts(charts: list[tuple[str, bytes]], styles, note: str | None, write: Writer) -> list:
    if note:
        return [write.paragraph(note, styles["body"], CONTENT_WIDTH)]
    story = []
    for caption, png in charts:
        story += [Image(io.BytesIO(png), width=178 * mm, height=100 * mm),
                  write.paragraph(caption, styles["body"], CONTENT_WIDTH), Spacer(1, 8)]
    return story


def _change(change: float, indicator, lang: str) -> str:
    shown, better = shown_change(change, indicator)
    verdict = t("better", lang) if better else t("worse", lang) if better is False else \
        t("unchanged", lang) if shown == 0 else ""
    return f"{change_text(shown, indicator, lang)} {verdict}".strip()


COLUMN_WIDTHS = [37 * mm, 33 * mm, 16 * mm, 25 * mm, 13 * mm, 24 * mm, 30 * mm]


def _indicator_table(snapshot: pd.DataFrame, font: dict, write: Writer) -> Table:
    """One row an indicator: its name in the brief's language and in the other one, value, unit,
    status, change over a year and target. Arabic briefs run the columns right to left."""
    lang, other = write.lang, other_language(write.lang)
    cell = ParagraphStyle("cell", fontName=font["regular"], fontSize=7.5, leading=10,
                          alignment=TA_RIGHT if write.rtl else 0)
    other_writer = Writer(other, font)

    def text(value: str, column: int, writer: Writer = write) -> Paragraph:
        return writer.paragraph(value, cell, COLUMN_WIDTHS[column] - 4)

    show_other = font["arabic"] is not None
    head = [t("col_indicator", lang), t("pdf_other_language", lang) if show_other else "", t("col_value", lang),
            t("col_unit", lang), t("col_status", lang), t("col_year_on_year", lang), t("col_target", lang)]
    rows = [[text(h, i) for i, h in enumerate(head)]]
    fills = []
    for position, record in enumerate(snapshot.itertuples(index=False), start=1):
        indicator = catalog()[record.indicator_id]
        value = "–" if pd.isna(record.value) else format_number(record.value, indicator.decimals, lang)
        yoy = "–" if pd.isna(record.change_year_ago) else _change(record.change_year_ago, indicator, lang)
        rows.append([
            text(indicator.name(lang), 0), text(indicator.name(other), 1, other_writer) if show_other else "",
            text(value, 2), text(indicator.unit(lang), 3), text(_status_word(record.status, lang), 4),
            text(yoy.strip(), 5), text(_target_text(record, indicator, lang), 6),
        ])
        if record.status in STATUS_FILL:
            fills.append(("BACKGROUND", (4, position), (4, position), STATUS_FILL[record.status]))
    widths = COLUMN_WIDTHS
    if write.rtl:  # the first column on the right
        rows = [row[::-1] for row in rows]
        widths = widths[::-1]
        fills = [(name, (6 - a[0], a[1]), (6 - b[0], b[1]), fill) for name, a, b, fill in fills]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f7f9")]),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        *fills,
    ]))
    return table


def _versions_text(brief: Brief) -> str:
    """The weights and targets versions behind the brief's figures (also the PDF's subject)."""
    return t("versions_note", brief.lang, weights=brief.versions["weights"], targets=brief.versions["targets"])


def _target_text(record, indicator, lang: str) -> str:
    """The tenant's target as the snapshot carries it, with the verdict."""
    if pd.isna(record.target) or not isinstance(record.target_status, str):
        return ""
    when = t("target_each_year", lang) if pd.isna(record.target_year) else \
        t("target_by", lang, year=int(record.target_year))
    return f"{record.target:g} {when}: {t('target_' + record.target_status, lang)}"


def _status_word(status, lang: str) -> str:
    return t(f"status_{status}", lang) if status in STATUS_FILL else "–"


def generated_at(lang: str = "en") -> str:
    return format_time(datetime.now(UTC), lang, seconds=False) + " UTC"
