"""The translation table: every key in English and Arabic with the same placeholders, and no
words for people written anywhere but the table (a scan of layouts, callbacks and exports)."""

import ast
import re
import string

import pytest

from layouts.text import LANGUAGES, TEXT, direction, has_text, language, language_of, other_language, t
from tests.conftest import ROOT

SCANNED = ("layouts", "callbacks", "exports")
ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3]")
CSS_CLASSES = re.compile(r"^[a-z0-9-]+(\s+[a-z0-9-]+)*$")
WORD = re.compile(r"^[A-Za-z]{3,}[.,:;!?)]?$|^[A-Za-z]{2}$")
# Strings that look like words but are for machines: font names the figures and PDF ask for.
TECHNICAL = {
    "Noto Sans, Noto Sans Arabic, DejaVu Sans, Arial, sans-serif",
    "Noto Sans Arabic, Noto Naskh Arabic, Noto Sans, DejaVu Sans, Arial, sans-serif",
}
# Calls whose string arguments are for developers, operators or machines, not for the page.
MACHINE_CALLS = {"log", "logging", "track", "getLogger", "warn", "exception", "info", "debug", "error", "warning",
                 "failure_message", "clientside_callback"}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_key_exists_in_every_language():
    keys = {lang: set(TEXT[lang]) for lang in LANGUAGES}
    for lang in LANGUAGES:
        assert keys[lang] == keys["en"], (lang, sorted(keys[lang] ^ keys["en"]))


@pytest.mark.parametrize("key", sorted(TEXT["en"]))
def test_translations_take_the_same_values(key):
    assert placeholders(TEXT["ar"][key]) == placeholders(TEXT["en"][key]), key
    assert TEXT["ar"][key].strip(), key


def test_arabic_texts_are_arabic():
    """An Arabic entry left in English would show English on an Arabic page; only names of
    things (Excel, PNG, kaleido...) and codes may stay in Latin letters."""
    def words(text: str) -> str:
        return re.sub(r"\{[^}]*\}", "", text)

    untranslated = [key for key, text in TEXT["ar"].items() if not ARABIC_LETTER.search(text)
                    and text == TEXT["en"][key] and re.search(r"[a-z]{4}", words(text))]
    assert untranslated == ["diag_kaleido"]


def test_the_language_comes_from_the_url_and_anything_else_is_english():
    assert language_of("?period=2025Q4&lang=ar") == "ar"
    assert language_of(b"lang=ar") == "ar"
    assert language_of("?lang=fr") == language_of("") == language_of(None) == "en"
    assert language("<script>") == "en"
    assert (direction("ar"), direction("en")) == ("rtl", "ltr")
    assert (other_language("ar"), other_language("en")) == ("en", "ar")
    assert t("nav_dashboard", "ar") == "لوحة المؤشرات"
    assert t("scope_combined", "ar", count="٢") == "٢ مناطق مجتمعة"


def _docstrings(tree) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _exempt(tree) -> set[int]:
    """Constants that are dictionary keys, JSON error codes, or arguments of logging, tracing
    and exceptions (messages for developers and operators, not for the page)."""
    exempt = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                exempt |= {id(n) for n in ast.walk(key)} if key is not None else set()
                if isinstance(key, ast.Constant) and key.value == "error":
                    exempt |= {id(n) for n in ast.walk(value)}
        elif isinstance(node, ast.Raise) and node.exc is not None:
            exempt |= {id(n) for n in ast.walk(node.exc)}
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
            if name in MACHINE_CALLS or owner in MACHINE_CALLS:
                exempt |= {id(n) for n in ast.walk(node)}
    return exempt


def looks_like_words(text: str) -> bool:
    """Arabic letters, or two or more plain words (CSS classes, ids and codes have hyphens,
    underscores or digits, or stand alone)."""
    if text in TECHNICAL:
        return False
    if ARABIC_LETTER.search(text):
        return True
    if CSS_CLASSES.match(text.strip()) and "-" in text:
        return False
    words = [token for token in re.split(r"\s+", text) if WORD.match(token)]
    return len(words) >= 2 and any(len(w) >= 4 for w in words)


def literal_texts(path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text())
    skip = _docstrings(tree) | _exempt(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip \
                and looks_like_words(node.value):
            found.append((node.lineno, node.value))
    return found


def test_the_scan_finds_words_and_passes_code():
    assert looks_like_words("Download PNG") and looks_like_words("تنزيل") and looks_like_words("not available: ")
    assert not looks_like_words("small text-body-secondary mb-0") and not looks_like_words("btn btn-outline-primary")
    assert not looks_like_words("%{text}<extra>%{fullData.name}</extra>") and not looks_like_words("filter-period")


@pytest.mark.parametrize("folder", SCANNED)
def test_no_words_for_people_bypass_the_table(folder):
    found = []
    for path in sorted((ROOT / folder).glob("*.py")):
        if path.name == "text.py":
            continue
        found += [f"{path.relative_to(ROOT)}:{line}: {text!r}" for line, text in literal_texts(path)]
    assert found == [], "\n".join(found)


def test_every_audited_action_has_words():
    from security.audit import ACTIONS

    assert [action for action in ACTIONS if not has_text(f"action_{action}")] == []
