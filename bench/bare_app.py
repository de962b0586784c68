"""The yardstick: a bare Flask endpoint, served with the same gunicorn settings as ours."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello():
    return {"status": "ok"}
