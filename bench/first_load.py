"""What a phone downloads to show `/` for the first time: every script and stylesheet the page asks for,
measured in a real browser (Debian's chromium), with its size raw and gzipped.

Used by `python -m bench pwa_budget` (prints the figures) and by tests/e2e/test_first_load_budget.py
(fails the build when the budget is broken). Sizes, not times: the same build gives the same figures.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass

from tests.e2e.conftest import PHONE  # the phone every browser test emulates

BUDGET_BYTES = 150 * 1024  # JavaScript + CSS, gzipped, for the first load of `/` (issue: PWA quality)


@dataclass(frozen=True)
class Asset:
    path: str
    kind: str  # script | stylesheet
    raw_bytes: int
    gzip_bytes: int


def first_load(browser, base_url: str, path: str = "/") -> list[Asset]:
    """The scripts and stylesheets a fresh phone (no cache, no service worker yet) fetches for `path`."""
    context = browser.new_context(locale="zh-CN", service_workers="block", **PHONE)
    page = context.new_page()
    seen: list = []
    page.on("response", lambda response: seen.append(response))
    page.goto(base_url + path, wait_until="networkidle")
    assets = []
    for response in seen:
        kind = response.request.resource_type
        if kind not in ("script", "stylesheet") or not response.ok:
            continue
        body = response.body()
        # gzip level 6, what nginx's gzip_comp_level and most CDNs use; docs/deploy.md turns it on.
        assets.append(Asset(response.url.removeprefix(base_url), kind, len(body), len(gzip.compress(body, 6))))
    context.close()
    return sorted(assets, key=lambda asset: -asset.gzip_bytes)


def total_gzip(assets: list[Asset]) -> int:
    return sum(asset.gzip_bytes for asset in assets)
