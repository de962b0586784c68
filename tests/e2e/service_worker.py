"""Steps shared by the tests that need the page under the service worker's control."""

from __future__ import annotations


def wait_until_controlled(page, base_url: str) -> None:
    """Load the app, wait for its service worker, reload: from then on the worker serves the page."""
    page.goto(base_url + "/")
    page.evaluate("async () => { await navigator.serviceWorker.ready }")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
