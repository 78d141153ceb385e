"""User.require says the same as User.can, for every role, permission and scope: a permission the role lacks is
refused for the role; one the role holds but that acts on the whole district is refused to a town account with
the district's own message (require_district)."""

from __future__ import annotations

import itertools

import pytest

from jiuye.accounts.roles import DISTRICT_WIDE, PERMISSION_LABELS, ROLES, can
from jiuye.accounts.service import User
from jiuye.errors import UserError


@pytest.mark.parametrize("town", [None, "朱泾镇"])
def test_require_refuses_exactly_what_can_denies_with_the_right_reason(town: str | None) -> None:
    for role, permission in itertools.product(ROLES, [*PERMISSION_LABELS, "no_such_permission"]):
        user = User(1, "u", "某人", role, "jinshan", town)
        try:
            user.require(permission)
            refused = None
        except UserError as exc:
            assert exc.http_status == 403
            refused = str(exc)
        assert (refused is None) == user.can(permission), (role, permission, town)
        if refused is not None:
            district_wide = town is not None and permission in DISTRICT_WIDE and can(role, permission)
            assert ("全区性的操作" in refused) == district_wide, (role, permission, town, refused)
            assert ("无权进行此操作" in refused) != district_wide, (role, permission, town, refused)
