"""Keeping secrets and personal data out of logs and telemetry.

Values under sensitive names (password, token, secret, cookie, ...) are replaced whole;
free text has its key=value pairs, "key": "value" pairs, bearer credentials, passwords in
URLs, e-mail addresses and phone numbers masked. Percent-encoded text is decoded first, so
`pass%77ord=x` is masked like `password=x`.

Every pattern runs in time linear in the text (possessive quantifiers, and a name is only
tried where a run of name characters starts), and text beyond `MAX_CHARS` is cut off
before it is read at all: whatever a client sends, redacting it costs milliseconds.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

MASK = "[REDACTED]"
MAX_CHARS = 16_384  # what one logged text keeps; a traceback fits, a flood does not
DECODE_ROUNDS = 3  # %2577 is %77 once decoded, and w twice
SENSITIVE_WORDS = r"pass|pwd|secret|token|api[-_]?key|authorization|cookie|session|csrf|credential"
SENSITIVE_NAME = re.compile(SENSITIVE_WORDS, re.IGNORECASE)

# A sensitive name and its separator: `password=`, `"db_token": `, `api-key :`. Tried only where
# a word starts; the atomic group walks that word once up to the first letter that begins a
# sensitive word, so a long run of name characters costs its length, never its length squared.
_SENSITIVE_NAME_AND_SEPARATOR = re.compile(
    rf"""(?=\w)\b(?>(?:[^\WpstacPSTAC]++|(?!(?i:{SENSITIVE_WORDS}))[pstacPSTAC])*+)(?i:{SENSITIVE_WORDS})"""
    r"""[\w.-]*+["']?+\s*+[:=]\s*+""")
# the value after it: quoted (to its closing quote, or to the end when there is none) or bare
_VALUE = re.compile(r"""(?P<quote>["'])(?:[^"'\\\n]++|\\.|(?!(?P=quote))["'])*+(?P<close>(?P=quote))?+"""
                    r"""|(?!\[)[^\s&;,'"}\]]++""")
# Authorization headers and credentials in prose: Bearer abc, Basic xyz=
_CREDENTIAL = re.compile(r"(?i)\b(bearer|basic)\s++[\w.~+/=-]++")
# passwords in URLs: scheme://user:secret@host
_URL_PASSWORD = re.compile(r"(://[^/\s:@]++):[^@\s/]++@")
# personal data: e-mail addresses (the last label all letters) and phone numbers (+966 5x xxx xxxx, 05xxxxxxxx)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@(?P<domain>[\w-]++(?:\.[\w-]++)++)")
_TOP_LEVEL_DOMAIN = re.compile(r"[A-Za-z]{2,}")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s-]?|\b0)5\d(?:[\s-]?\d){7}\b")


def redact(text: str, limit: int = MAX_CHARS) -> str:
    """`text` (its first `limit` characters) with credentials and personal data masked."""
    cut = len(text) - limit
    text = _decoded(text[:limit] if cut > 0 else text)
    text = _CREDENTIAL.sub(rf"\1 {MASK}", text)
    text = _mask_named_values(text)
    text = _URL_PASSWORD.sub(rf"\1:{MASK}@", text)
    text = _EMAIL.sub(_email, text)
    text = _PHONE.sub("[PHONE]", text)
    return f"{text}…[{cut} more characters not logged]" if cut > 0 else text


def redact_value(name: str, value):
    """A logged field: masked whole under a sensitive name, else its text redacted (nested
    dicts and lists included)."""
    if SENSITIVE_NAME.search(name):
        return MASK
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_value(str(key), item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(name, item) for item in value]
    return value


def _decoded(text: str) -> str:
    for _ in range(DECODE_ROUNDS):
        if not _ESCAPE.search(text):
            break
        decoded = unquote(text, errors="replace")
        if decoded == text:
            break
        text = decoded
    return text


def _mask_named_values(text: str) -> str:
    """Every value after a sensitive name masked: `password=x`, `"token": "y"`."""
    pieces, done = [], 0
    for named in _SENSITIVE_NAME_AND_SEPARATOR.finditer(text):
        if named.start() < done:
            continue
        value = _VALUE.match(text, named.end())
        if value is None:
            continue
        masked = f"{value['quote']}{MASK}{value['close'] or ''}" if value["quote"] else MASK
        pieces += [text[done:value.start()], masked]
        done = value.end()
    return "".join(pieces) + text[done:] if pieces else text


def _email(found: re.Match) -> str:
    top_level = found["domain"].rsplit(".", 1)[1]
    return "[EMAIL]" if _TOP_LEVEL_DOMAIN.fullmatch(top_level) else found.group()
