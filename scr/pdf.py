"""HTML to PDF with WeasyPrint, fetching nothing but the project's own print assets.

The HTML of a report is built from text people typed. Left to its default fetcher,
WeasyPrint would follow ``file://`` (read any file the worker can read into the PDF)
and ``http(s)://`` (reach the internal network, or tell a stranger a report is being
rendered). So every render goes through ``AssetFetcher``: it serves only the files in
``ASSETS``, named through the ``scr-asset:`` scheme, and refuses every other URL
(``file:``, ``http:``, ``data:``, relative URLs) by stopping the render with
``ResourceRefused``: a report that asks for an outside resource fails loudly rather
than rendering without it.

Fonts are shipped with the project, so a PDF looks the same on every machine: Noto Sans
(regular, bold, italic, bold italic; Latin, Latin Extended, Greek and Cyrillic subsets)
in ``pdf_assets/fonts/``, taken from the npm package ``@fontsource/noto-sans`` 5.3.0
under the SIL Open Font License 1.1 (``pdf_assets/fonts/OFL.txt``, which allows
redistribution with the software). ``pdf_assets/base.css`` names them with
``@font-face`` and ``unicode-range``, including for the ``@page`` margin boxes; no
system font is needed.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

ASSET_SCHEME = "scr-asset:"
_HERE = Path(__file__).resolve().parent / "pdf_assets"


@functools.cache
def assets() -> dict[str, Path]:
    """Every file a render may load, by the name used after ``scr-asset:``: the stylesheets
    (every ``.css`` in ``pdf_assets``: the base one, the report's) and the shipped fonts
    (every ``.woff2`` in ``pdf_assets/fonts``). Read once: the files ship with the code."""
    found = {sheet.name: sheet for sheet in sorted(_HERE.glob("*.css"))}
    found.update({f"fonts/{font.name}": font for font in sorted((_HERE / "fonts").glob("*.woff2"))})
    return found


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
        if path.suffix == ".woff2":
            content_type = "font/woff2"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


# Published reports are public-sector documents: accessible PDF (PDF/UA-1, ISO 14289-1),
# tagged so a screen reader has the headings, lists and tables, with the document's title
# (<title>) and language (<html lang>) from the HTML. WeasyPrint's "pdf/ua-1" variant sets
# PDF 1.7, the structure tree (pdf_tags) and the PDF/UA metadata.
PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html: str, base_url: str | None = None, *, variant: str | None = PDF_VARIANT
                ) -> bytes:
    """The PDF of ``html`` with the base stylesheet; only allow-listed assets are loaded.

    Tagged PDF/UA-1 by default (``PDF_VARIANT``): give the HTML a ``<title>`` and an
    ``<html lang>``, which become the PDF's title and language. ``variant=None`` renders
    a plain, untagged PDF (the benchmark's comparison).

    ``base_url`` resolves relative URLs; whatever they resolve to still goes through
    the allow-list (so a ``file://`` base cannot open the disk)."""
    fetcher = AssetFetcher()
    # Without a FontConfiguration, WeasyPrint ignores @font-face and silently uses a system
    # font: the shipped fonts would never be used.
    fonts = FontConfiguration()
    try:
        stylesheet = CSS(url=f"{ASSET_SCHEME}base.css", url_fetcher=fetcher, font_config=fonts)
        options: dict[str, object] = {"pdf_variant": variant, "pdf_tags": True} if variant else {}
        return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
            stylesheets=[stylesheet], font_config=fonts, **options)
    except FatalURLFetchingError as refused:
        cause = refused.__cause__ or refused.__context__ or refused
        raise ResourceRefused(str(cause if isinstance(cause, _Refusal) else refused)) from None
