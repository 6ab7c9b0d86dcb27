"""Static files served from memory, with content-hashed URLs and pre-compressed bodies.

Templates call ``static_url("vendor/nhsuk-frontend.min.css")`` and get
``/static/vendor/nhsuk-frontend.min.<hash>.css``. A URL whose hash matches the file's content is
cached for a year (``immutable``); the plain URL still works but must be revalidated, so a
stale page never pins an old file.

The NHS.UK stylesheet is adjusted once at start-up: its ``@font-face`` rules load Frutiger from
assets.nhs.uk (another host, and licensed for nhs.uk only), so they are dropped and the
stylesheet's own Arial fallback is used; its ``/assets/...`` image URLs are rewritten to
hashed URLs here.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

STATIC_DIR = Path(__file__).resolve().parent / "static"
PREFIX = "/static/"
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<ext>\.[A-Za-z0-9]+)$")
_FONT_FACE = re.compile(r"@font-face\{[^}]*https?://[^}]*\}")
_SOURCE_MAP = re.compile(rb"\n?//# sourceMappingURL=\S+\s*$")
_COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".ico", ".txt", ".map", ".html")
YEAR = 31_536_000


@dataclass(frozen=True)
class Asset:
    """One static file, ready to serve."""

    body: bytes
    gzipped: bytes | None
    digest: str
    media_type: str


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:12]


def _media_type(name: str) -> str:
    if name.endswith(".js"):
        return "text/javascript; charset=utf-8"
    if name.endswith(".json"):
        return "application/manifest+json" if name.endswith("manifest.json") else "application/json"
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def _make(name: str, body: bytes) -> Asset:
    packed = gzip.compress(body, 9, mtime=0) if name.endswith(_COMPRESSIBLE) else None
    if packed is not None and len(packed) >= len(body):
        packed = None
    return Asset(body=body, gzipped=packed, digest=_digest(body), media_type=_media_type(name))


class AssetStore:
    """Every file under ``static/``, loaded once. Build with :func:`asset_store`."""

    def __init__(self, root: Path) -> None:
        raw = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
        self.assets: dict[str, Asset] = {}
        # Images first, then the vendor's code, then ours: rewritten URLs need their targets' hashes.
        code = [n for n in raw if n.endswith((".css", ".js"))]
        for name, body in raw.items():
            if name not in code:
                self.assets[name] = _make(name, body)
        for name in sorted(code, key=lambda n: not n.startswith("vendor/")):
            self.assets[name] = _make(name, self._prepare(name, raw[name]))

    def _prepare(self, name: str, body: bytes) -> bytes:
        if name.endswith(".js"):
            text = _SOURCE_MAP.sub(b"\n", body).decode("utf-8")
            # Our own modules import others by absolute "/static/..." paths; pin them to hashes.
            text = re.sub(r'"(/static/[^"]+)"', lambda m: f'"{self._hashed_or_same(m.group(1))}"', text)
            return text.encode("utf-8")
        css = _FONT_FACE.sub("", body.decode("utf-8"))
        if name.startswith("vendor/"):
            css = css.replace("url(/assets/", "url(/static/vendor/assets/")
        css = re.sub(r"url\((/static/[^)]+)\)", lambda m: f"url({self._hashed_or_same(m.group(1))})", css)
        return css.encode("utf-8")

    def _hashed_or_same(self, url: str) -> str:
        name = url.removeprefix(PREFIX)
        return self.url(name) if name in self.assets else url

    def url(self, name: str) -> str:
        """The content-hashed URL of ``name`` (a path under ``static/``); the plain URL if missing."""
        asset = self.assets.get(name)
        if asset is None:
            return f"{PREFIX}{name}"
        stem, dot, ext = name.rpartition(".")
        if not dot or "/" in ext:
            return f"{PREFIX}{name}"
        return f"{PREFIX}{stem}.{asset.digest}.{ext}"

    def lookup(self, path: str) -> tuple[Asset, bool] | None:
        """The asset for a URL path under ``/static/`` and whether the URL carried its hash."""
        asset = self.assets.get(path)
        if asset is not None:
            return asset, False
        m = _HASHED.match(path)
        if m is None:
            return None
        asset = self.assets.get(m["stem"] + m["ext"])
        if asset is None:
            return None
        return asset, asset.digest == m["digest"]

    def response(self, request: Request, path: str) -> Response:
        """Serve ``path``: gzip when accepted, ETag and cache headers."""
        found = self.lookup(path)
        if found is None:
            return Response("Not found", status_code=404, media_type="text/plain")
        asset, pinned = found
        etag = f'"{asset.digest}"'
        headers = {
            "Cache-Control": f"public, max-age={YEAR}, immutable" if pinned else "no-cache",
            "ETag": etag,
            "Vary": "Accept-Encoding",
        }
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        body = asset.body
        if asset.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
            body = asset.gzipped
            headers["Content-Encoding"] = "gzip"
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            return Response(status_code=200, headers=headers, media_type=asset.media_type)
        return Response(body, headers=headers, media_type=asset.media_type)


@cache
def asset_store() -> AssetStore:
    """The package's static files, loaded on first use."""
    return AssetStore(STATIC_DIR)


def static_url(name: str) -> str:
    """Content-hashed URL for a file under ``static/``."""
    return asset_store().url(name)


def missing_vendor_files() -> list[str]:
    """NHS.UK frontend files that were not built (``make static`` builds them)."""
    wanted = ["vendor/nhsuk-frontend.min.css", "vendor/nhsuk-frontend.min.js"]
    return [name for name in wanted if name not in asset_store().assets]
