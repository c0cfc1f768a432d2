"""People who use a node: their roles and what each role is for (DESIGN.md, 'Who uses a node')."""

from __future__ import annotations

import enum


class Role(enum.Enum):
    """The role a user holds; the access policy decides what each may do."""

    ANALYST = "analyst"
    LIAISON = "liaison"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"
    AUDITOR = "auditor"

    @property
    def reads_intelligence(self) -> bool:
        """Roles that work with report and entity content (not administrators, not auditors)."""
        return self in {Role.ANALYST, Role.LIAISON, Role.SUPERVISOR}

    @classmethod
    def parse(cls, value: str) -> Role:
        """A role from its name ('liaison officer' is accepted for 'liaison')."""
        text = value.strip().lower().replace(" officer", "").replace("_officer", "")
        try:
            return cls(text)
        except ValueError:
            allowed = ", ".join(r.value for r in cls)
            raise ValueError(f"unknown role {value!r} (one of {allowed})") from None
