"""Server-side PNG rendering with kaleido's persistent Chromium, one per worker process.

kaleido's shared server is not thread-safe (concurrent calls can return each other's
images), so every render goes through one dedicated thread, and every render has a timeout.
"""

from __future__ import annotations

import atexit
import os
import shutil
import struct
import threading
import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import plotly.graph_objects as go
import plotly.io as pio

from layouts.text import t

RENDER_TIMEOUT_S = 30.0
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")


class ExportUnavailable(RuntimeError):
    """PNG export cannot run here; the message says why."""


def browser_path() -> str | None:
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return next((found for name in BROWSER_NAMES if (found := shutil.which(name))), None)


def availability(lang: str = "en") -> tuple[bool, str]:
    """Whether PNG export can work in this process, and why not when it cannot (in `lang`)."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return False, t("png_no_kaleido", lang)
    if browser_path() is None:
        return False, t("png_no_browser", lang)
    return True, t("png_ready", lang, browser=browser_path())


class PngRenderer:
    """Renders figures one at a time on its own thread, starting kaleido on first use."""

    def __init__(self, timeout: float = RENDER_TIMEOUT_S):
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="png-export")
        self._started = False

    def render(self, figure: go.Figure, width: int, height: int, scale: float, lang: str = "en") -> bytes:
        ok, reason = availability(lang)
        if not ok:
            raise ExportUnavailable(reason)
        future = self._pool.submit(self._render, figure, width, height, scale)
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            raise ExportUnavailable(t("png_timeout", lang, seconds=f"{self.timeout:.0f}")) from None

    def _render(self, figure: go.Figure, width: int, height: int, scale: float) -> bytes:
        if not self._started:
            import kaleido

            kaleido.start_sync_server(n=1, mathjax=False, silence_warnings=True)
            atexit.register(kaleido.stop_sync_server, silence_warnings=True)
            self._started = True
        with warnings.catch_warnings():  # plotly warns that its per-call browser options go unused
            warnings.simplefilter("ignore", UserWarning)
            image = pio.to_image(figure, format="png", width=width, height=height, scale=scale)
        return image


_renderers: dict[int, PngRenderer] = {}
_lock = threading.Lock()


def renderer() -> PngRenderer:
    """This process's renderer (a forked worker makes its own)."""
    with _lock:
        return _renderers.setdefault(os.getpid(), PngRenderer())


def with_text_chunks(png: bytes, texts: dict[str, str]) -> bytes:
    """Add text chunks (title, source...) after the PNG header chunk, so a downloaded file
    says what it shows: tEXt for Latin-1 text, iTXt (UTF-8) for anything else, e.g. Arabic."""
    header_end = 8 + 4 + 4 + 13 + 4  # signature, then IHDR: length, type, 13 bytes, CRC
    chunks = b""
    for key, value in texts.items():
        try:
            kind, data = b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1")
        except UnicodeEncodeError:  # keyword, no compression, no language tag or translated keyword
            kind, data = b"iTXt", key.encode("latin-1") + b"\0\0\0\0\0" + value.encode("utf-8")
        chunks += struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return png[:header_end] + chunks + png[header_end:]
