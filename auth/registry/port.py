"""The registry port: what the rest of OneTrip may ask the population and legal-person registries.

人口库 (population registry): people by resident ID number, with their household (户).
法人库 (legal-person registry): organisations by unified social credit code, and the organisations
a person represents as legal representative (法定代表人 / 经营者).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any

SEXES = ("M", "F")
RELATIONS = ("户主", "配偶", "子女", "父母")  # 与户主关系: relation to the head of the household
ORG_TYPES = ("company", "sole_trader")  # 企业 / 个体工商户
ORG_STATUSES = ("active", "cancelled", "revoked")  # 存续 / 注销 / 吊销


class RegistryUnavailable(Exception):
    """The registry could not answer (down, too slow, or refused us): not the same as "not found"."""


class RegistryRefused(RegistryUnavailable):
    """The registry rejected the request itself (signature, credentials): a configuration problem."""


@dataclass(frozen=True)
class HouseholdMember:
    id_number: str
    name: str
    relation: str  # to the head of the household, one of RELATIONS


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    sex: str  # "M" | "F"
    birth_date: str  # ISO date
    ethnicity: str
    household_address: str  # 户籍地址
    relation: str = "户主"  # this person's own relation to the head of the household
    household_members: tuple[HouseholdMember, ...] = field(default_factory=tuple)  # the others, not this person

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Person:
        members = tuple(HouseholdMember(m["id_number"], m["name"], m["relation"]) for m in data.get("household_members") or ())
        return cls(
            name=data["name"],
            id_number=data["id_number"],
            sex=data["sex"],
            birth_date=data["birth_date"],
            ethnicity=data.get("ethnicity", ""),
            household_address=data.get("household_address", ""),
            relation=data.get("relation", "户主"),
            household_members=members,
        )


@dataclass(frozen=True)
class Org:
    name: str
    credit_code: str
    type: str  # one of ORG_TYPES
    legal_rep_id_number: str
    legal_rep_name: str
    registered_address: str
    business_scope: str
    status: str = "active"  # one of ORG_STATUSES

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Org:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})


class Registry(ABC):
    """Lookups by number only. Methods raise RegistryUnavailable when the registry cannot answer."""

    @abstractmethod
    def find_person(self, id_number: str) -> Person | None: ...

    @abstractmethod
    def find_org(self, credit_code: str) -> Org | None: ...

    @abstractmethod
    def orgs_represented_by(self, id_number: str) -> list[Org]: ...

    def find_person_dated(self, id_number: str) -> tuple[Person | None, str | None]:
        """find_person with when the registry last changed that record (UTC ISO-8601), read with it; None when the
        registry does not say (the data-sharing platform's answers do not)."""
        return self.find_person(id_number), None

    def find_org_dated(self, credit_code: str) -> tuple[Org | None, str | None]:
        """find_org with when the registry last changed that record, as find_person_dated."""
        return self.find_org(credit_code), None

    def verify_person(self, name: str, id_number: str) -> bool:
        """True when the registry holds this ID number under this name (real-name level L2)."""
        person = self.find_person(id_number)
        return person is not None and _same_name(person.name, name)


def _same_name(registered: str, typed: str) -> bool:
    return "".join(registered.split()) == "".join((typed or "").split())
