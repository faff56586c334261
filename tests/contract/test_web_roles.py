"""The web app's people page offers the roles approval knows: a role added to approval shows up
as a checkbox, and the page never offers one approval would refuse."""

from __future__ import annotations

from countersign_approval.domain.people import Role
from countersign_web.pages.people import ROLES


def test_the_people_page_offers_exactly_approvals_roles() -> None:
    assert sorted(ROLES) == sorted(role.value for role in Role)
