"""The one region vocabulary: ISO 3166-2:SA codes, names in English and Arabic, aliases."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

NATIONAL_CODE = "SA"


@dataclass(frozen=True)
class Region:
    code: str
    name_en: str
    name_ar: str
    aliases: tuple[str, ...] = ()

    def name(self, lang: str = "en") -> str:
        return self.name_ar if lang == "ar" else self.name_en


REGIONS: tuple[Region, ...] = (
    Region("SA-01", "Riyadh", "الرياض", ("Riyadh Region", "Ar Riyad", "منطقة الرياض")),
    Region("SA-02", "Makkah", "مكة المكرمة",
           ("Mecca", "Makkah Al-Mukarramah", "Makkah Region", "مكة", "منطقة مكة المكرمة")),
    Region("SA-03", "Madinah", "المدينة المنورة",
           ("Medina", "Al-Madinah", "Madinah Region", "المدينة", "منطقة المدينة المنورة")),
    Region("SA-04", "Eastern Province", "المنطقة الشرقية", ("Eastern", "Eastern Region", "Ash Sharqiyah", "الشرقية")),
    Region("SA-05", "Al-Qassim", "القصيم", ("Qassim", "Al Qassim", "Al-Qasim", "منطقة القصيم")),
    Region("SA-06", "Ha'il", "حائل", ("Hail", "Hayil", "منطقة حائل")),
    Region("SA-07", "Tabuk", "تبوك", ("Tabouk", "منطقة تبوك")),
    Region("SA-08", "Northern Borders", "الحدود الشمالية",
           ("Al-Hudud ash-Shamaliyah", "Northern Border", "منطقة الحدود الشمالية")),
    Region("SA-09", "Jazan", "جازان", ("Jizan", "Gizan", "منطقة جازان")),
    Region("SA-10", "Najran", "نجران", ("منطقة نجران",)),
    Region("SA-11", "Al-Bahah", "الباحة", ("Baha", "Al Bahah", "Al-Baha", "منطقة الباحة")),
    Region("SA-12", "Al-Jawf", "الجوف", ("Jouf", "Al Jawf", "Al-Jouf", "منطقة الجوف")),
    Region("SA-14", "Asir", "عسير", ("Aseer", "'Asir", "منطقة عسير")),
)
NATIONAL = Region(NATIONAL_CODE, "National", "المملكة",
                  ("Saudi Arabia", "Kingdom", "KSA", "national", "المملكة العربية السعودية"))

REGION_CODES: tuple[str, ...] = tuple(r.code for r in REGIONS)
_BY_CODE = {r.code: r for r in (*REGIONS, NATIONAL)}


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    return re.sub(r"[\s'’`\-_.]+", "", text)


_BY_ALIAS: dict[str, str] = {}
for _region in (*REGIONS, NATIONAL):
    for _alias in (_region.code, _region.name_en, _region.name_ar, *_region.aliases):
        _BY_ALIAS[_normalise(_alias)] = _region.code


def resolve_region(text: str) -> str | None:
    """The canonical code for a code, name or alias as people type it, or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    return _BY_ALIAS.get(_normalise(text))


def region_name(code: str, lang: str = "en") -> str:
    return _BY_CODE[code].name(lang)
