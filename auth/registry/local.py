"""The local registry adapter: the collections `registry_people` (人口库) and `registry_orgs` (法人库).

A document keeps its sensitive fields encrypted (auth.crypto): a person's ID number, household
address and the ID numbers of the household members; an organisation's legal representative's ID
number. It is found only through blind indexes: `id_bi` (unique), `credit_bi` (unique) and
`legal_rep_bi` (not unique: one person may represent several organisations).

Names, sex, birth date and ethnicity stay in plaintext: names are displayed and compared on every
real-name check, and none of them finds a record without the ID number. An organisation's name,
credit code and registered address are public register data (公示信息) and stay in plaintext too;
the credit code is still looked up through `credit_bi` so that every lookup goes the same way.

Every member of a household holds the same ciphertexts of the household's ID numbers and address
(one encryption per value per household): equal ciphertexts reveal only that those people share a
household, which `household_id` says anyway.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from api.store import ensure_indexes, new_id

from ..crypto import FieldCipher
from .port import HouseholdMember, Org, Person, Registry

PEOPLE = "registry_people"
ORGS = "registry_orgs"
ID_NUMBER = f"{PEOPLE}.id_number"  # the context of every ID number in a person document, members' too
ADDRESS = f"{PEOPLE}.household_address"
LEGAL_REP_ID = f"{ORGS}.legal_rep_id_number"


def ensure_registry_indexes(store: Any) -> None:
    """Create this adapter's indexes (declared in api/store/indexes.py; idempotent), for processes that do not
    start the app."""
    ensure_indexes(store, (PEOPLE, ORGS))


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def person_document(
    cipher: FieldCipher,
    person: Person,
    *,
    _id: str | None = None,
    household_id: str | None = None,
    source: str = "registry",
    sealed: dict[str, str] | None = None,
    now: str | None = None,
) -> dict[str, Any]:
    """The stored form of a person. `sealed` caches ciphertexts across one household's documents."""
    sealed = {} if sealed is None else sealed

    def seal(value: str, context: str) -> str:
        key = context + "\0" + value
        token = sealed.get(key)
        if token is None:
            token = sealed[key] = cipher.encrypt(value, context)
        return token

    now = now or now_iso()
    return {
        "_id": _id or new_id("rp-"),
        "id_bi": cipher.blind_index("id_number", person.id_number),
        "id_number": seal(person.id_number, ID_NUMBER),
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "ethnicity": person.ethnicity,
        "household_id": household_id,
        "household_address": seal(person.household_address, ADDRESS),
        "relation": person.relation,
        "members": [
            {"id_number": seal(m.id_number, ID_NUMBER), "name": m.name, "relation": m.relation} for m in person.household_members
        ],
        "source": source,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def org_document(
    cipher: FieldCipher, org: Org, *, _id: str | None = None, source: str = "registry", now: str | None = None
) -> dict[str, Any]:
    now = now or now_iso()
    return {
        "_id": _id or new_id("ro-"),
        "credit_bi": cipher.blind_index("credit_code", org.credit_code),
        "credit_code": org.credit_code,
        "name": org.name,
        "type": org.type,
        "legal_rep_bi": cipher.blind_index("id_number", org.legal_rep_id_number),
        "legal_rep_id_number": cipher.encrypt(org.legal_rep_id_number, LEGAL_REP_ID),
        "legal_rep_name": org.legal_rep_name,
        "registered_address": org.registered_address,
        "business_scope": org.business_scope,
        "status": org.status,
        "source": source,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


class LocalRegistry(Registry):
    def __init__(self, store: Any, cipher: FieldCipher):
        self.store = store
        self.cipher = cipher

    def find_person(self, id_number: str) -> Person | None:
        return self.find_person_dated(id_number)[0]

    def find_person_dated(self, id_number: str) -> tuple[Person | None, str | None]:
        """One read: the person and their document's `updated_at` (prefill shows it as the value's source time)."""
        document = self.store[PEOPLE].find_one({"id_bi": self.cipher.blind_index("id_number", id_number)})
        return (None, None) if document is None else (self.person_of(document), document.get("updated_at"))

    def find_org(self, credit_code: str) -> Org | None:
        return self.find_org_dated(credit_code)[0]

    def find_org_dated(self, credit_code: str) -> tuple[Org | None, str | None]:
        document = self.store[ORGS].find_one({"credit_bi": self.cipher.blind_index("credit_code", credit_code)})
        return (None, None) if document is None else (self.org_of(document), document.get("updated_at"))

    def orgs_represented_by(self, id_number: str) -> list[Org]:
        documents = self.store[ORGS].find({"legal_rep_bi": self.cipher.blind_index("id_number", id_number)})
        return sorted((self.org_of(d) for d in documents), key=lambda org: org.credit_code)

    def person_of(self, document: dict[str, Any]) -> Person:
        decrypt = self.cipher.decrypt
        return Person(
            name=document["name"],
            id_number=decrypt(document["id_number"], ID_NUMBER),
            sex=document["sex"],
            birth_date=document["birth_date"],
            ethnicity=document.get("ethnicity", ""),
            household_address=decrypt(document["household_address"], ADDRESS),
            relation=document.get("relation", "户主"),
            household_members=tuple(
                HouseholdMember(decrypt(m["id_number"], ID_NUMBER), m["name"], m["relation"]) for m in document.get("members", ())
            ),
        )

    def org_of(self, document: dict[str, Any]) -> Org:
        return Org(
            name=document["name"],
            credit_code=document["credit_code"],
            type=document["type"],
            legal_rep_id_number=self.cipher.decrypt(document["legal_rep_id_number"], LEGAL_REP_ID),
            legal_rep_name=document.get("legal_rep_name", ""),
            registered_address=document.get("registered_address", ""),
            business_scope=document.get("business_scope", ""),
            status=document.get("status", "active"),
        )
