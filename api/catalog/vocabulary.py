"""The closed word lists of the catalogue: what a tag, a field type or a prefill source may be."""

from __future__ import annotations

import re

TAGS = ("马上办", "网上办", "就近办", "一次办")  # the 四办 classification (湘政办发字〔2018〕50号)
KINDS = ("immediate", "promised")  # 即办件 | 承诺件
FOR_WHOM = ("person", "business")  # 个人 | 法人
DELIVERY = ("ems", "pickup")
REVIEW = ("auto", "clerk")
STATUSES = ("active", "retired")
MATERIAL_SOURCES = ("certificate", "registry", "form", "upload")
TRUST_LEVELS = ("A", "B", "C", "D")  # 国办函〔2016〕108号: A sealed e-document … D self-declaration
FIELD_TYPES = ("string", "integer", "number", "date", "boolean", "choice", "address", "id_number", "phone", "credit_code")

ITEM_CODE = re.compile(r"^\d{6}-[A-Z]{2,6}-\d{3}$")  # 430200-SCJG-001
BUNDLE_CODE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")  # open-restaurant
DEPARTMENT_CODE = re.compile(r"^[a-z]{2,12}$")
CERTIFICATE_TYPE = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
MATERIAL_CODE = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")  # canonical and dotted: applicant.name
PHONE = re.compile(r"^0\d{2,3}-\d{7,8}$")  # a landline: 0731-28680001

REGISTRY_SOURCES = {
    "person": ("name", "id_number", "sex", "birth_date", "ethnicity", "household_address"),
    "spouse": ("name", "id_number"),  # the household member whose relation is 配偶
    "org": ("name", "credit_code", "type", "legal_rep_name", "legal_rep_id_number", "registered_address", "business_scope"),
}
# The person's own data (本人填报); a bank account is offered part by part, each to its own form field.
VAULT_SOURCES = ("contact_address", "contact_phone", "email", "bank_account.bank_name", "bank_account.account_name",
                 "bank_account.account_no")  # fmt: skip
ACCOUNT_SOURCES = ("phone",)
# What a result's certificate field may take from the issuance itself rather than from the form: its
# number (the licence number printed on it), the day it was issued, the day it expires.
ISSUANCE_SOURCES = {"@number": "number", "@issued_on": "issued_on", "@valid_until": "valid_until"}
# An item whose result `registers_org` founds a company (企业设立登记): its form must hold what the
# legal-person registry records, and its result may take the credit code the registration assigns.
FOUNDING_FIELDS = ("business.name", "business.legal_rep_name", "business.legal_rep_id_number", "business.registered_address",
                   "business.business_scope")  # fmt: skip
REGISTRATION_SOURCES = ("business.credit_code",)
_CERTIFICATE_SOURCE = re.compile(r"^certificate\.([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$")

PREFILL_GRAMMAR = "、".join(
    (
        "registry.person.<字段>",
        "registry.spouse.<字段>",
        "registry.org.<字段>",
        "certificate.<证照类型>.<字段>",
        "vault.<字段>",
        "account.phone",
    )
)


def certificate_source(source: str) -> tuple[str, str] | None:
    """("food_business_licence", "licence_no") for "certificate.food_business_licence.licence_no"."""
    match = _CERTIFICATE_SOURCE.match(source)
    return (match.group(1), match.group(2)) if match else None


def is_prefill_source(source: str) -> bool:
    """Whether `source` is a word of the prefill vocabulary (a certificate's type and field are checked elsewhere)."""
    parts = source.split(".")
    if parts[0] == "registry" and len(parts) == 3:
        return parts[2] in REGISTRY_SOURCES.get(parts[1], ())
    if parts[0] == "vault" and len(parts) in (2, 3):
        return ".".join(parts[1:]) in VAULT_SOURCES
    if parts[0] == "account" and len(parts) == 2:
        return parts[1] in ACCOUNT_SOURCES
    return certificate_source(source) is not None
