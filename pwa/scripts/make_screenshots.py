"""The manifest's screenshots (the richer install sheet): the built app with the demo city, photographed
by Debian's headless Chromium as a phone (narrow, 720x1280) and as a desktop window (wide, 1280x720).

Run after `npm --prefix pwa run build`, from the repository root:
    .venv/bin/python pwa/scripts/make_screenshots.py
It writes pwa/public/screenshots/{narrow,wide}.png; rebuild to ship them.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.one_thing import seed_demo  # noqa: E402
from tests.e2e.serving import make_app, serving  # noqa: E402

OUT = ROOT / "pwa" / "public" / "screenshots"
SHOTS = [
    # name, path, CSS viewport, device pixel ratio → 720x1280 and 1280x720 pixels
    ("narrow", "/", {"width": 360, "height": 640}, 2),
    ("wide", "/services/bundles/open-restaurant", {"width": 1280, "height": 720}, 1),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data:
        app = make_app(Path(data), ROOT / "pwa" / "dist")
        seed_demo(app)
        with serving(app) as base_url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, path, viewport, scale in SHOTS:
                page = browser.new_page(locale="zh-CN", viewport=viewport, device_scale_factor=scale)
                page.goto(base_url + path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / f"{name}.png"))
                page.close()
            browser.close()
    for name, *_ in SHOTS:
        sys.stdout.write(f"{OUT / name}.png\n")


if __name__ == "__main__":
    main()
