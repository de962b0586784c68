"""Paginated lists (api/blueprint.py): bounded page numbers, one parameters schema per view, flask-smorest's X-Pagination."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.views import MethodView
from marshmallow import Schema, fields

from api.blueprint import MAX_PAGE, Blueprint
from api.config import load_config
from api.errors import OneTripApi, register_error_handlers


class NumberSchema(Schema):
    n = fields.Integer()


@pytest.fixture(scope="module")
def client():
    blp = Blueprint("numbers", __name__, url_prefix="/api/v1/numbers")

    @blp.route("")
    class Numbers(MethodView):
        @blp.response(200, NumberSchema(many=True))
        @blp.paginate()
        def get(self, pagination_parameters):
            pagination_parameters.item_count = 25
            start = pagination_parameters.first_item
            return [{"n": n} for n in range(start, min(start + pagination_parameters.page_size, 25))]

    app = Flask(__name__)
    app.config.update(load_config({"TESTING": True}), API_TITLE="t", API_VERSION="v1", OPENAPI_VERSION="3.1.0")
    register_error_handlers(app)
    OneTripApi(app).register_blueprint(blp)
    return app.test_client()


def test_a_page_is_cut_by_page_and_page_size_and_described_in_x_pagination(client):
    response = client.get("/api/v1/numbers?page=2&page_size=10")
    assert response.get_json() == [{"n": n} for n in range(10, 20)]
    assert json.loads(response.headers["X-Pagination"]) == {
        "total": 25, "total_pages": 3, "first_page": 1, "last_page": 3, "page": 2, "previous_page": 1, "next_page": 3
    }  # fmt: skip


def test_the_defaults_apply_to_a_request_that_names_no_page(client):
    response = client.get("/api/v1/numbers")
    assert len(response.get_json()) == 10
    assert json.loads(response.headers["X-Pagination"])["page"] == 1


@pytest.mark.parametrize("query", ["page=0", f"page={MAX_PAGE + 1}", "page_size=0", "page_size=101", "page=x"])
def test_page_numbers_and_sizes_out_of_bounds_are_422(client, query):
    response = client.get(f"/api/v1/numbers?{query}")
    assert response.status_code == 422


def test_requests_one_after_another_do_not_share_their_parameters(client):
    assert client.get("/api/v1/numbers?page=3&page_size=10").get_json() == [{"n": n} for n in range(20, 25)]
    assert client.get("/api/v1/numbers?page_size=5").get_json() == [{"n": n} for n in range(5)]
