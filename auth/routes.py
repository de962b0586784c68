from flask.views import MethodView
from flask_smorest import Blueprint

from .tokens import keyring

wellknown = Blueprint("wellknown", __name__, url_prefix="/.well-known", description="Public keys of access tokens")


@wellknown.route("/jwks.json")
class Jwks(MethodView):
    @wellknown.response(200)
    def get(self):
        """The public keys that verify access tokens (JWKS, Ed25519)."""
        return keyring().jwks(), 200, {"Cache-Control": "public, max-age=300"}
