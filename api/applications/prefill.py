"""Fill-once prefill: each form field's value from the first source that holds it.

A field lists its possible sources in order (the catalogue's `prefill`). Values from the registry or
from an e-certificate are shown as received and locked; the person's own vault data and the values
of their previous application are offered but editable. Each value carries its source, so the form
can say where it came from and when that source last changed it, and submission re-checks the locked
ones against their source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from api import audit
from api.errors import Unavailable
from api.vault import service as vault
from api.vault.own_data import own_data
from auth.registry import LocalRegistry, RegistryUnavailable
from auth.registry.local import ORGS, PEOPLE

LOCKED_KINDS = ("registry", "certificate")
SOURCE_LABELS = {
    "registry": "政府核验",
    "certificate": "电子证照",
    "vault": "本人填报",
    "account": "账户信息",
    "previous_application": "上次申请",
}
ADDRESS_PARTS = ("province", "city", "district", "street", "detail")


@dataclass
class Resolved:
    value: Any
    source: str  # e.g. "registry", "certificate:business_licence", "vault", "previous_application"
    certificate_id: str | None = None
    updated_at: str | None = None  # when the source last changed it (UTC ISO-8601), when the source says
    origin: str | None = None  # the catalogue's prefill source it came from, e.g. "registry.org.name"

    @property
    def kind(self) -> str:
        return self.source.split(":", 1)[0]

    @property
    def locked(self) -> bool:
        return self.kind in LOCKED_KINDS


@dataclass
class PrefillContext:
    """What the government and the person already hold, looked up lazily, each source once."""

    store: Any
    cipher: Any
    registry: Any
    account: dict
    acting_for: str | None = None
    previous_form: dict = field(default_factory=dict)
    previous_at: str | None = None  # when that previous application was submitted
    _cache: dict = field(default_factory=dict)

    def _once(self, key: str, load):
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    def id_number(self) -> str | None:
        from auth.accounts import id_number_of

        return self._once("id_number", lambda: id_number_of(self.cipher, self.account))

    def _ask(self, question, *args):
        """One registry question; an outage is a 503 to try again, never a form silently left unverified."""
        try:
            answer = question(*args)
        except RegistryUnavailable as outage:
            raise Unavailable("暂时无法连接政府数据平台，请稍后再试", code="registry_unavailable") from outage
        self._audit_registry_read(question.__name__, args[0])
        return answer

    def _audit_registry_read(self, question: str, key: str) -> None:
        """A registry read for prefill is a data access: audited by the person's blind index, never the number."""
        if question == "find_org":
            subject_type, subject_id = "registry_org", key
        else:
            subject_type, subject_id = "registry_person", self.cipher.blind_index("id_number", key)
        detail = {"purpose": "prefill", "question": question}
        audit.append(self.store, actor_id=self.account["_id"], actor_role="citizen", action="registry.read",
                     subject_type=subject_type, subject_id=subject_id, detail=detail)  # fmt: skip

    def person(self):
        return self._once("person", lambda: self._ask(self.registry.find_person, self.id_number()) if self.id_number() else None)

    def spouse(self):
        def load():
            person = self.person()
            member = next((m for m in (person.household_members if person else ()) if m.relation == "配偶"), None)
            return self._ask(self.registry.find_person, member.id_number) if member else None

        return self._once("spouse", load)

    def org(self):
        return self._once("org", lambda: self._ask(self.registry.find_org, self.acting_for) if self.acting_for else None)

    def registry_updated_at(self, who: str) -> str | None:
        """When the registry last changed the record of `who` (person, spouse, org). The local registry's
        documents say it; the data-sharing platform's answers do not, so that adapter gives None."""

        def load():
            if not isinstance(self.registry, LocalRegistry):
                return None
            blind_index = self.registry.cipher.blind_index
            if who == "org":
                query = ORGS, {"credit_bi": blind_index("credit_code", self.acting_for)}
            else:
                record = self.person() if who == "person" else self.spouse()
                query = PEOPLE, {"id_bi": blind_index("id_number", record.id_number)}
            document = self.registry.store[query[0]].find_one(query[1], {"updated_at": 1})
            return (document or {}).get("updated_at")

        return self._once(f"registry_updated_at:{who}", load)

    def holders(self) -> list[dict]:
        return self._once("holders", lambda: vault.holders_of(self.account, self.cipher, self.acting_for))

    def certificate(self, cert_type: str) -> dict | None:
        return self._once(
            f"cert:{cert_type}", lambda: vault.find_valid_certificate(self.store, self.cipher, self.holders(), cert_type)
        )

    def own_data(self) -> dict:
        return self._once("own", lambda: own_data(self.store, self.account["_id"], self.cipher))

    def phone(self) -> str | None:
        encrypted = self.account.get("phone_enc")
        return self._once("phone", lambda: self.cipher.decrypt(encrypted, "accounts.phone") if encrypted else None)


def _present(value: Any) -> bool:
    return value not in (None, "", [], {})


def _address_text(value: Any) -> Any:
    """The vault keeps an address in parts; a form field holds it as one line."""
    if isinstance(value, dict):
        return "".join(str(value.get(part) or "") for part in ADDRESS_PARTS) or None
    return value


def resolve_source(ctx: PrefillContext, source: str) -> Resolved | None:
    head, _, rest = source.partition(".")
    if head == "registry":
        who, _, attr = rest.partition(".")
        record = {"person": ctx.person, "spouse": ctx.spouse, "org": ctx.org}.get(who, lambda: None)()
        value = getattr(record, attr, None) if record else None
        return Resolved(value, "registry", updated_at=ctx.registry_updated_at(who)) if _present(value) else None
    if head == "certificate":
        cert_type, _, attr = rest.partition(".")
        certificate = ctx.certificate(cert_type)
        value = (certificate or {}).get("data", {}).get(attr)
        if not _present(value):
            return None
        return Resolved(value, f"certificate:{cert_type}", certificate["_id"], certificate["issued_on"])
    if head == "vault":
        key, _, part = rest.partition(".")
        value = ctx.own_data().get(key)
        if part:  # e.g. vault.bank_account.account_no
            value = value.get(part) if isinstance(value, dict) else None
        value = _address_text(value) if key.endswith("address") else value
        return Resolved(value, "vault", updated_at=ctx.own_data().get("updated_at")) if _present(value) else None
    if head == "account" and rest == "phone":
        value = ctx.phone()  # verified at sign-up; an account's phone is not changed yet
        changed = ctx.account.get("phone_changed_at") or ctx.account.get("created_at")
        return Resolved(value, "account", updated_at=changed) if value else None
    raise ValueError(f"unknown prefill source {source!r}")


def resolve_field(ctx: PrefillContext, form_field: dict) -> Resolved | None:
    for source in form_field.get("prefill") or ():
        resolved = resolve_source(ctx, source)
        if resolved is not None:
            resolved.origin = source
            return resolved
    if form_field["name"].startswith("business.") and not ctx.acting_for:
        return None  # applying in person (企业开办), the last application's business is another company
    previous = ctx.previous_form.get(form_field["name"])
    if _present(previous):
        return Resolved(previous, "previous_application", updated_at=ctx.previous_at)
    return None


def prefill_form(ctx: PrefillContext, fields: list[dict]) -> dict[str, Resolved]:
    """field name → what the government or the person already holds for it."""
    out = {}
    for form_field in fields:
        resolved = resolve_field(ctx, form_field)
        if resolved is not None:
            out[form_field["name"]] = resolved
    return out
