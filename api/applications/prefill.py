"""Fill-once prefill: each form field's value from the first source that holds it.

A field lists its possible sources in order (the catalogue's `prefill`). Values from the registry or
from an e-certificate are shown as received and locked; the person's own vault data and the values
of their previous application are offered but editable. Each value carries its source, so the form
can say where it came from and when that source last changed it, and submission re-checks the locked
ones against their source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from api import audit
from api.errors import Unavailable
from api.vault import service as vault
from api.vault.own_data import own_data
from auth.registry import RegistryUnavailable

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
    """What the government and the person already hold, looked up lazily, each source once.

    `load_previous` reads the person's previous application (its form and submission time) the first time a field
    falls through to it (most forms are filled from their sources and never ask). Inside `audits_deferred`,
    registry reads are audited by `write_audits(session)` in the transaction of the change they lead to."""

    store: Any
    cipher: Any
    registry: Any
    account: dict
    acting_for: str | None = None
    previous_form: dict = field(default_factory=dict)
    previous_at: str | None = None  # when that previous application was submitted
    load_previous: Callable[[], tuple[dict, str | None]] | None = None  # (form, submitted_at) read when first needed
    _cache: dict = field(default_factory=dict)
    _unaudited: list | None = None  # registry reads to audit, while audits are deferred
    _audits_committed: bool = False

    def _once(self, key: str, load):
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    def id_number(self) -> str | None:
        from auth.accounts import id_number_of

        return self._once("id_number", lambda: id_number_of(self.cipher, self.account))

    def previous(self) -> tuple[dict, str | None]:
        """The previous application's form (field name → value) and when it was submitted."""
        if self.load_previous is None:
            return self.previous_form, self.previous_at
        return self._once("previous", self.load_previous)

    def _ask(self, question: str, ask, key: str):
        """One registry question (`question` names it for the audit log); an outage is a 503 to try again,
        never a form silently left unverified."""
        try:
            answer = ask(key)
        except RegistryUnavailable as outage:
            raise Unavailable("暂时无法连接政府数据平台，请稍后再试", code="registry_unavailable") from outage
        self._audit_registry_read(question, key)
        return answer

    def _audit_registry_read(self, question: str, key: str) -> None:
        """A registry read for prefill is a data access: audited by the person's blind index, never the number."""
        if question == "find_org":
            subject_type, subject_id = "registry_org", key
        else:
            subject_type, subject_id = "registry_person", self.cipher.blind_index("id_number", key)
        entry = dict(actor_id=self.account["_id"], actor_role="citizen", action="registry.read", subject_type=subject_type,
                     subject_id=subject_id, detail={"purpose": "prefill", "question": question})  # fmt: skip
        if self._unaudited is not None:
            self._unaudited.append(entry)
        else:
            audit.append(self.store, **entry)

    @contextmanager
    def audits_deferred(self) -> Iterator[None]:
        """Registry reads inside the block are audited when the caller calls write_audits(session) in the
        transaction of the change they lead to, then audits_committed() after it: one write transaction
        instead of two. Whatever did not commit that way (the change refused, failed or rolled back) is
        audited on its own when the block ends, as every read always was."""
        self._unaudited, self._audits_committed = [], False
        try:
            yield
        finally:
            unaudited, self._unaudited = self._unaudited, None
            if not self._audits_committed:
                for entry in unaudited:
                    audit.append(self.store, **entry)

    def write_audits(self, session=None) -> None:
        """Append the deferred registry reads inside the caller's transaction (`session`)."""
        for entry in self._unaudited or ():
            audit.append(self.store, **entry, session=session)

    def audits_committed(self) -> None:
        """The transaction that wrote the deferred reads (write_audits) committed."""
        self._audits_committed = True

    def _person_dated(self) -> tuple[Any, str | None]:
        def load():
            id_number = self.id_number()
            return self._ask("find_person", self.registry.find_person_dated, id_number) if id_number else (None, None)

        return self._once("person", load)

    def _spouse_dated(self) -> tuple[Any, str | None]:
        def load():
            person = self.person()
            member = next((m for m in (person.household_members if person else ()) if m.relation == "配偶"), None)
            return self._ask("find_person", self.registry.find_person_dated, member.id_number) if member else (None, None)

        return self._once("spouse", load)

    def _org_dated(self) -> tuple[Any, str | None]:
        def load():
            return self._ask("find_org", self.registry.find_org_dated, self.acting_for) if self.acting_for else (None, None)

        return self._once("org", load)

    def person(self):
        return self._person_dated()[0]

    def spouse(self):
        return self._spouse_dated()[0]

    def org(self):
        return self._org_dated()[0]

    def registry_updated_at(self, who: str) -> str | None:
        """When the registry last changed the record of `who` (person, spouse, org), read with the record
        itself. The local registry's documents say it; the data-sharing platform's answers do not (None)."""
        return {"person": self._person_dated, "spouse": self._spouse_dated, "org": self._org_dated}[who]()[1]

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
    previous_form, previous_at = ctx.previous()
    previous = previous_form.get(form_field["name"])
    if _present(previous):
        return Resolved(previous, "previous_application", updated_at=previous_at)
    return None


def prefill_form(ctx: PrefillContext, fields: list[dict]) -> dict[str, Resolved]:
    """field name → what the government or the person already holds for it."""
    out = {}
    for form_field in fields:
        resolved = resolve_field(ctx, form_field)
        if resolved is not None:
            out[form_field["name"]] = resolved
    return out
