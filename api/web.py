"""Serving the built PWA at / (history-mode fallback) and Swagger UI's files for /api/docs."""

from __future__ import annotations

import os

from flask import Blueprint, Flask, abort, current_app, send_from_directory
from werkzeug.routing import PathConverter

web = Blueprint("web", __name__)


class AppPathConverter(PathConverter):
    """Any path of the PWA: never one under /api/ or /.well-known/, so those stay JSON 404/405s
    and an OPTIONS request there lists only the API's own methods."""

    regex = r"(?!api(?:/|$)|\.well-known(?:/|$))[^/].*?"


NO_CACHE = {"index.html", "sw.js", "registerSW.js", "manifest.webmanifest"}


def _dist() -> str:
    return current_app.config["PWA_DIST"]


def _send(directory: str, filename: str):
    response = send_from_directory(directory, filename)
    if filename in NO_CACHE or filename.startswith("workbox-"):
        response.headers["Cache-Control"] = "no-cache"
    elif filename.startswith("assets/"):
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    if filename.endswith(".webmanifest"):
        response.mimetype = "application/manifest+json"
    return response


@web.route("/api/docs/assets/<path:filename>")
def swagger_ui_asset(filename: str):
    return _send(current_app.config["SWAGGER_UI_DIR"], filename)


@web.route("/", defaults={"path": ""})
@web.route("/<app_path:path>")
def pwa(path: str):
    dist = _dist()
    if not os.path.isfile(os.path.join(dist, "index.html")):
        abort(404, description="the PWA is not built: run `make run` or `npm --prefix pwa ci && npm --prefix pwa run build`")
    if path and os.path.isfile(os.path.join(dist, path)):
        return _send(dist, path)
    if "." in path.rsplit("/", 1)[-1]:
        abort(404)  # a missing file, not a page of the app
    return _send(dist, "index.html")


def init_web(app: Flask) -> None:
    app.url_map.converters["app_path"] = AppPathConverter
    app.register_blueprint(web)
