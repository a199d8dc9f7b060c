"""The PDF brief (reportlab): headline index, the indicators with status and targets, and
charts, for one selection. Arabic names are shaped and ordered for display and set in Noto
Naskh Arabic, named explicitly."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import arabic_reshaper
import pandas as pd
from bidi import get_display
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from data.catalog import INDEX_ID, catalog
from layouts.components import change_text, shown_change
from layouts.text import t

FONT_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/opentype/noto"))
FONTS = {"Hub": "NotoSans-Regular.ttf", "Hub-Bold": "NotoSans-Bold.ttf", "HubArabic": "NotoNaskhArabic-Regular.ttf"}
STATUS_FILL = {"green": colors.HexColor("#d1e7dd"), "amber": colors.HexColor("#fff3cd"),
               "red": colors.HexColor("#f8d7da")}


@dataclass(frozen=True)
class Brief:
    title: str
    subtitle: str
    snapshot: pd.DataFrame  # the data layer's indicator snapshot for the selection
    charts: list[tuple[str, bytes]]  # (caption, PNG)
    chart_note: str | None  # why charts are missing, when they are


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
    }


def arabic(text: str) -> str:
    """Arabic letters joined and ordered right to left for a renderer that does neither."""
    return get_display(arabic_reshaper.reshape(text))


def brief_pdf(brief: Brief) -> bytes:
    font = fonts()
    styles = {
        "title": ParagraphStyle("title", fontName=font["bold"], fontSize=17, leading=21, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", fontName=font["regular"], fontSize=9, leading=12,
                                   textColor=colors.HexColor("#495057"), spaceAfter=10),
        "head": ParagraphStyle("head", fontName=font["bold"], fontSize=12, leading=15, spaceBefore=8, spaceAfter=6),
        "body": ParagraphStyle("body", fontName=font["regular"], fontSize=9, leading=12),
        "big": ParagraphStyle("big", fontName=font["bold"], fontSize=30, leading=34),
    }
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm,
                                 topMargin=14 * mm, bottomMargin=14 * mm, title=brief.title,
                                 author="Sustainable Economic Development Analytics Hub")
    story = [Paragraph(brief.title, styles["title"]), Paragraph(brief.subtitle, styles["subtitle"])]
    story += _headline(brief.snapshot, styles)
    story += _charts(brief.charts[:1], styles, brief.chart_note)
    story.append(PageBreak())
    story.append(Paragraph(t("pdf_indicators"), styles["head"]))
    story.append(_indicator_table(brief.snapshot, font))
    if len(brief.charts) > 1:
        story.append(PageBreak())
        story += _charts(brief.charts[1:], styles, None)
    document.build(story)
    return buffer.getvalue()


def _headline(snapshot: pd.DataFrame, styles) -> list:
    row = snapshot.set_index("indicator_id").loc[INDEX_ID]
    indicator = catalog()[INDEX_ID]
    if pd.isna(row["value"]):
        return [Paragraph(f"{t('index_title')}: {t('index_insufficient')}", styles["head"])]
    changes = [f"{change_text(shown_change(row[column], indicator)[0], indicator)} {t(column)}"
               for column in ("change_previous", "change_year_ago") if not pd.isna(row[column])]
    status = _status_word(row["status"])
    return [
        Paragraph(t("index_title"), styles["head"]),
        Paragraph(f"{row['value']:.{indicator.decimals}f} <font size=12>{indicator.unit_en} · {status}</font>",
                  styles["big"]),
        Spacer(1, 4),
        Paragraph("; ".join(changes), styles["body"]),
        Spacer(1, 8),
    ]


def _charts(charts: list[tuple[str, bytes]], styles, note: str | None) -> list:
    if note:
        return [Paragraph(note, styles["body"])]
    story = []
    for caption, png in charts:
        story += [Image(io.BytesIO(png), width=178 * mm, height=100 * mm), Paragraph(caption, styles["body"]),
                  Spacer(1, 8)]
    return story


def _change(change: float, indicator) -> str:
    shown, better = shown_change(change, indicator)
    verdict = t("better") if better else t("worse") if better is False else t("unchanged") if shown == 0 else ""
    return f"{change_text(shown, indicator)} {verdict}".strip()


def _indicator_table(snapshot: pd.DataFrame, font: dict) -> Table:
    rows = [[t("col_indicator"), arabic(t("col_indicator", "ar")) if font["arabic"] else "", t("col_value"),
             t("col_unit"), t("col_status"), t("col_year_on_year"), t("col_target")]]
    cell = ParagraphStyle("cell", fontName=font["regular"], fontSize=7.5, leading=9)
    fills = []
    for position, record in enumerate(snapshot.itertuples(index=False), start=1):
        indicator = catalog()[record.indicator_id]
        value = "–" if pd.isna(record.value) else f"{record.value:,.{indicator.decimals}f}"
        yoy = "–" if pd.isna(record.change_year_ago) else _change(record.change_year_ago, indicator)
        rows.append([
            indicator.name_en, arabic(indicator.name_ar) if font["arabic"] else "", value,
            Paragraph(indicator.unit_en, cell), _status_word(record.status), yoy,
            Paragraph(_target_text(record, indicator), cell),
        ])
        if record.status in STATUS_FILL:
            fills.append(("BACKGROUND", (4, position), (4, position), STATUS_FILL[record.status]))
    table = Table(rows, colWidths=[37 * mm, 33 * mm, 16 * mm, 25 * mm, 13 * mm, 24 * mm, 30 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font["regular"], 7.5),
        ("FONT", (0, 0), (-1, 0), font["bold"], 7.5),
        ("FONT", (1, 1), (1, -1), font["arabic"] or font["regular"], 8),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("ALIGN", (2, 1), (2, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f7f9")]),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        *fills,
    ]))
    return table


def _target_text(record, indicator) -> str:
    if indicator.target is None or not isinstance(record.target_status, str):
        return ""
    when = t("target_each_year") if indicator.target.every_year else t("target_by", year=indicator.target.year)
    return f"{indicator.target.value:g} {when}: {t('target_' + record.target_status)}"


def _status_word(status) -> str:
    return t(f"status_{status}") if status in STATUS_FILL else "–"


def generated_at() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
