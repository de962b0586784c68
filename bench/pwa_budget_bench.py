"""The performance budget of the PWA's first load: JavaScript + CSS for `/` on a phone, gzipped, must stay
under 150 KB. Builds nothing: measures pwa/dist as `npm --prefix pwa run build` left it, served by the
real app, loaded by Debian's chromium. Prints each file and the totals against the budget."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.first_load import BUDGET_BYTES, first_load, total_gzip  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.serving import make_app, serving  # noqa: E402


def main() -> None:
    dist = ROOT / "pwa" / "dist"
    if not (dist / "index.html").is_file():
        sys.exit("pwa/dist is missing: run `npm --prefix pwa run build` (make pwa) first")
    app = make_app(Path(tempfile.mkdtemp(prefix="onetrip-budget-")) / "var", dist)
    with serving(app) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for path in ("/", "/services", "/me"):
            assets = first_load(browser, base_url, path)
            print(f"\nfirst load of {path} on a phone (no cache):")
            print(f"  {'file':<48} {'kind':<11} {'raw':>9} {'gzip':>9}")
            for asset in assets:
                print(f"  {asset.path:<48} {asset.kind:<11} {asset.raw_bytes:>9,} {asset.gzip_bytes:>9,}")
            js = sum(a.gzip_bytes for a in assets if a.kind == "script")
            css = sum(a.gzip_bytes for a in assets if a.kind == "stylesheet")
            total = total_gzip(assets)
            verdict = "within" if total <= BUDGET_BYTES else "OVER"
            print(
                f"  JS {js / 1024:.1f} KB + CSS {css / 1024:.1f} KB = {total / 1024:.1f} KB gzipped; "
                f"budget {BUDGET_BYTES / 1024:.0f} KB: {verdict} ({total / BUDGET_BYTES:.0%} of it)"
            )
        browser.close()


if __name__ == "__main__":
    main()
