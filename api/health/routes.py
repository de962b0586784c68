from flask import current_app
from flask.views import MethodView

from api.blueprint import Blueprint
from api.errors import Unavailable

from .schemas import HealthSchema

blp = Blueprint("health", __name__, url_prefix="/api/v1/health", description="Service health")


@blp.route("")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, description="The store does not answer")
    def get(self):
        """Is the service up and its store reachable?"""
        store = current_app.extensions["store"]
        try:
            store.ping()
        except Exception as exc:  # any store failure means "not healthy", never a 500
            raise Unavailable("数据存储暂不可用") from exc
        return {"status": "ok", "version": current_app.config["VERSION"], "store": store.engine}
