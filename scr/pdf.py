"""HTML to PDF with WeasyPrint, fetching nothing but the project's own print assets.

The HTML of a report is built from text people typed. Left to its default fetcher,
WeasyPrint would follow ``file://`` (read any file the worker can read into the PDF)
and ``http(s)://`` (reach the internal network, or tell a stranger a report is being
rendered). So every render goes through ``AssetFetcher``: it serves only the files in
``ASSETS``, named through the ``scr-asset:`` scheme, and refuses every other URL
(``file:``, ``http:``, ``data:``, relative URLs) by stopping the render with
``ResourceRefused``: a report that asks for an outside resource fails loudly rather
than rendering without it.

Fonts are shipped: DejaVu from Debian's ``fonts-dejavu-core`` (installed by
scripts/test-machine.sh and the Dockerfile), referenced by ``@font-face`` in
``pdf_assets/base.css``, including for the ``@page`` margin boxes.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

ASSET_SCHEME = "scr-asset:"
_HERE = Path(__file__).resolve().parent / "pdf_assets"


def _font_dir() -> Path:
    return Path(getattr(settings, "PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))


def assets() -> dict[str, Path]:
    """Every file a render may load, by the name used after ``scr-asset:``."""
    fonts = _font_dir()
    return {
        "base.css": _HERE / "base.css",
        "fonts/DejaVuSans.ttf": fonts / "DejaVuSans.ttf",
        "fonts/DejaVuSans-Bold.ttf": fonts / "DejaVuSans-Bold.ttf",
        "fonts/DejaVuSans-Oblique.ttf": fonts / "DejaVuSans-Oblique.ttf",
    }


class ResourceRefused(Exception):
    """The HTML or CSS asked for a URL outside the allow-list."""


class _Refusal(FatalURLFetchingError):
    """Raised inside WeasyPrint: only fatal errors stop a render (others become warnings)."""


class AssetFetcher(URLFetcher):
    """WeasyPrint's fetcher, restricted to the ``scr-asset:`` allow-list."""

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        name = url.removeprefix(ASSET_SCHEME) if url.startswith(ASSET_SCHEME) else None
        path = assets().get(name) if name is not None else None
        if path is None:
            logger.warning("PDF render refused to fetch %.200s", url)
            raise _Refusal(f"refused to fetch {url[:200]!r}: only {ASSET_SCHEME} assets are allowed")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".ttf":
            content_type = "font/ttf"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """The PDF of ``html`` with the base stylesheet; only allow-listed assets are loaded.

    ``base_url`` resolves relative URLs; whatever they resolve to still goes through
    the allow-list (so a ``file://`` base cannot open the disk)."""
    fetcher = AssetFetcher()
    try:
        stylesheet = CSS(url=f"{ASSET_SCHEME}base.css", url_fetcher=fetcher)
        return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
            stylesheets=[stylesheet])
    except FatalURLFetchingError as refused:
        cause = refused.__cause__ or refused.__context__ or refused
        raise ResourceRefused(str(cause if isinstance(cause, _Refusal) else refused)) from None
