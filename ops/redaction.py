"""Keeping secrets and personal data out of logs and telemetry.

Values under sensitive names (password, token, secret, cookie, ...) are replaced whole;
free text has its key=value pairs, "key": "value" pairs, bearer credentials, passwords in
URLs, e-mail addresses and phone numbers masked.
"""

from __future__ import annotations

import re

MASK = "[REDACTED]"
SENSITIVE_WORDS = r"pass|pwd|secret|token|api[-_]?key|authorization|cookie|session|csrf|credential"
SENSITIVE_NAME = re.compile(SENSITIVE_WORDS, re.IGNORECASE)

_NAME = rf"[\w.-]*(?:{SENSITIVE_WORDS})[\w.-]*"
_RULES = [
    # Authorization headers and credentials in prose: Bearer abc, Basic xyz=
    (re.compile(r"(?i)\b(bearer|basic)\s+[\w.~+/=-]+"), rf"\1 {MASK}"),
    # quoted values: "password": "x", 'token': 'y', secret="z"
    (re.compile(rf"(?i)([\"']?{_NAME}[\"']?\s*[:=]\s*)([\"'])(?:\\.|(?!\2).)*\2"), rf"\1\2{MASK}\2"),
    # bare values: ?password=x&token=y, api_key: z, cookie=a; session=b
    (re.compile(rf"(?i)\b({_NAME}[\"']?\s*[:=]\s*)(?![\"'\[])[^\s&;,'\"}}\]]+"), rf"\1{MASK}"),
    # passwords in URLs: scheme://user:secret@host
    (re.compile(r"(://[^/\s:@]+):[^@\s/]+@"), rf"\1:{MASK}@"),
    # personal data: e-mail addresses and phone numbers (+966 5x xxx xxxx, 05xxxxxxxx)
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b"), "[EMAIL]"),
    (re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s-]?|\b0)5\d(?:[\s-]?\d){7}\b"), "[PHONE]"),
]


def redact(text: str) -> str:
    """`text` with credentials and personal data masked."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


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
