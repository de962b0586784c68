"""Demo halls for `seed-demo`: 株洲市民中心 (four floors, five window groups, 20 windows), 荷塘区政务服务中心 and a
community service point, from data/halls.json. Idempotent: a hall already there is left as it is."""

from __future__ import annotations

import json
from pathlib import Path

from api.errors import Conflict

from .halls import create_hall
from .schemas import HallCreateSchema

HALLS_FILE = Path(__file__).parent / "data" / "halls.json"


def demo_halls() -> list[dict]:
    """The demo halls as an admin would send them, checked by the same schema."""
    return HallCreateSchema(many=True).load(json.loads(HALLS_FILE.read_text(encoding="utf-8")))


def seed_demo_halls(store, app=None) -> str:
    created = 0
    for hall in demo_halls():
        try:
            create_hall(store, hall)
        except Conflict:
            continue
        created += 1
    return f"{created} service hall(s) created"
