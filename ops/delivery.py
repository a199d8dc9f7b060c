"""Fewer bytes to the browser: compressed responses and the smallest plotly.js that draws the
hub's charts.

- Scripts, styles, HTML and callback JSON go out brotli- (or gzip-) compressed when the browser
  accepts it (flask-compress), except responses that carry the CSRF token: compressing a secret
  beside text an attacker can put in the same response (a query string) leaks it (BREACH).
- plotly.js: the partial "cartesian" bundle (2D traces: the hub draws scatter, bar and, on the
  quality page, a heatmap; 1.5 MB against 4.8 MB) that `make run` fetches from the npm registry into var/vendor/ for the
  plotly.js version of the installed plotly.py; the full bundle that ships with plotly.py when
  it is missing, with a log line. Its URL names the variant and version, so the browser may
  keep it for a year.
- AG Grid (1.3 MB, and 0.9 MB more once a grid draws) is not among the page's first scripts:
  its URL goes into a <meta> tag, and assets/lazy_grid.js loads it when a grid comes near the
  screen (the dashboard's table is below the charts).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from flask import Flask, g
from flask_compress import Compress
from plotly.offline import get_plotlyjs_version

log = logging.getLogger(__name__)

VENDOR_DIR = Path(__file__).resolve().parent.parent / "var" / "vendor"
FULL_PLOTLY_DIR = Path(str(resources.files("plotly") / "package_data"))
PARTIAL_VARIANT = "cartesian"  # the npm package plotly.js-cartesian-dist-min
TRACE_TYPES_IN_PARTIAL = frozenset({"scatter", "bar", "pie", "heatmap", "histogram", "histogram2d", "box", "violin",
                                    "contour", "histogram2dcontour", "image", "scatterternary"})
YEAR_S = 365 * 24 * 3600
COMPRESSED_TYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                    "image/svg+xml"]
CSRF_TOKEN_IN_G = "csrf_token"  # where Flask-WTF's generate_csrf() keeps the token it handed out


@dataclass(frozen=True)
class PlotlyBundle:
    folder: Path
    filename: str
    variant: str  # PARTIAL_VARIANT or "full"
    version: str

    @property
    def url(self) -> str:
        return f"/vendor/plotly/{self.variant}-{self.version}/plotly.min.js"


def partial_bundle_name(version: str) -> str:
    """The file `make` writes for plotly.js `version` (see the Makefile's plotly-bundle)."""
    return f"plotly-{PARTIAL_VARIANT}-{version}.min.js"


def plotly_bundle(vendor_dir: Path = VENDOR_DIR) -> PlotlyBundle:
    """The partial bundle when it was fetched for this plotly.js version, else the full one."""
    version = get_plotlyjs_version()
    name = partial_bundle_name(version)
    if (vendor_dir / name).is_file():
        return PlotlyBundle(vendor_dir, name, PARTIAL_VARIANT, version)
    log.warning("partial plotly.js bundle %s not found in %s (make run fetches it): serving the full bundle",
                name, vendor_dir)
    return PlotlyBundle(FULL_PLOTLY_DIR, "plotly.min.js", "full", version)


def init_compression(server: Flask) -> None:
    """Compress every response of a compressible type, unless a CSRF token was made for it
    (the sign-in form, the header with the sign-out form)."""
    server.config.update(COMPRESS_REGISTER=False, COMPRESS_MIMETYPES=COMPRESSED_TYPES,
                         COMPRESS_ALGORITHM=["br", "gzip"], COMPRESS_ALGORITHM_STREAMING=["br", "deflate"],
                         COMPRESS_BR_LEVEL=5, COMPRESS_MIN_SIZE=500)
    compress = Compress(server)

    @server.after_request
    def compressed(response):
        return response if CSRF_TOKEN_IN_G in g else compress.after_request(response)


# <script> tags that the page does not load up front: {namespace: what the tag's src contains}
LAZY_SCRIPTS = {"dash_ag_grid": "/dash_ag_grid/dash_ag_grid."}
LAZY_META = "hub-lazy-script"


# <script> tags the page does without: Babel's polyfill for browsers older than the ones the hub
# supports, and the loader of Dash's DataTable, which no page uses (tables are AG Grid)
UNNEEDED_SCRIPTS = ("/dash/deps/polyfill@", "/dash/dash_table/bundle.")


def defer_scripts(scripts: str) -> tuple[str, str]:
    """Dash's script tags less the unneeded and the lazy ones, and <meta> tags naming the lazy
    ones for lazy_grid.js."""
    for part in UNNEEDED_SCRIPTS:
        scripts = re.sub(rf'<script src="[^"]*{re.escape(part)}[^"]*"></script>\n?', "", scripts)
    metas = []
    for namespace, part in LAZY_SCRIPTS.items():
        tag = re.search(rf'<script src="([^"]*{re.escape(part)}[^"]*)"></script>\n?', scripts)
        if tag:
            scripts = scripts.replace(tag.group(0), "")
            metas.append(f'<meta name="{LAZY_META}" data-namespace="{namespace}" content="{tag.group(1)}">')
    return scripts, "\n".join(metas)
