"""The application factories (tests/applications/conftest.py) for the flows whose queries are recorded."""

from tests.applications.conftest import (  # noqa: F401 - fixtures used here
    Caller,
    add_org,
    add_person,
    app,
    approvers,
    business_licence,
    cipher,
    clerk,
    login,
    resident,
    restaurateur,
    staff,
    verified,
)
