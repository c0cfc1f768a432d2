"""Handling labels: TLP 2.0, Europol-style handling codes H0–H3, classification levels.

A report's handling says who may receive it and what they may do with it.
The rules here are pure: the exchange policy and the access policy read them.

- TLP 2.0: https://www.first.org/tlp/ (CLEAR < GREEN < AMBER < AMBER+STRICT < RED).
- Handling codes as in the EU Manual on Law Enforcement Information Exchange
  (Europol SIENA): H0 purpose limitation, H1 not for judicial proceedings,
  H2 no dissemination without the provider's permission, H3 other
  restrictions — which must then be written out.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tabadul.errors import ValidationFailed


class Tlp(enum.Enum):
    """Traffic Light Protocol 2.0 labels, in increasing order of restriction."""

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"

    @property
    def rank(self) -> int:
        """Position in the order CLEAR (0) … RED (4)."""
        return _TLP_ORDER.index(self)

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Tlp):
            return NotImplemented
        return self.rank <= other.rank

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Tlp):
            return NotImplemented
        return self.rank < other.rank

    @classmethod
    def parse(cls, value: str) -> Tlp:
        """Read a label as written by people ('amber+strict', 'TLP:RED', 'white')."""
        text = value.strip().upper().removeprefix("TLP:").replace(" ", "")
        if text == "WHITE":  # TLP 1.0's name for CLEAR, still common in partner data
            return cls.CLEAR
        try:
            return cls(text)
        except ValueError:
            allowed = ", ".join(t.value for t in cls)
            raise ValidationFailed.field(
                "tlp", f"unknown TLP label {value!r} (one of {allowed})"
            ) from None


_TLP_ORDER = list(Tlp)


class HandlingCode(enum.Enum):
    """Handling codes H0–H3 (EU law-enforcement information exchange)."""

    H0 = "H0"
    H1 = "H1"
    H2 = "H2"
    H3 = "H3"

    @property
    def meaning(self) -> str:
        """What the code asks of a recipient, in the manual's words."""
        return _CODE_MEANINGS[self]


_CODE_MEANINGS = {
    HandlingCode.H0: "May only be used for preventing and combating crime, under applicable law.",
    HandlingCode.H1: (
        "Not to be disclosed in judicial proceedings without the provider's permission."
    ),
    HandlingCode.H2: "Not to be disseminated without the provider's permission.",
    HandlingCode.H3: "Other restrictions, as stated.",
}


@dataclass(frozen=True)
class Handling:
    """How a report may be handled: TLP label, handling codes, originator control."""

    tlp: Tlp
    codes: tuple[HandlingCode, ...] = ()
    restrictions: str | None = None
    originator_control: bool = False

    def __post_init__(self) -> None:
        if HandlingCode.H3 in self.codes and not (self.restrictions or "").strip():
            raise ValidationFailed.field(
                "handling.restrictions", "handling code H3 needs the restrictions written out"
            )
        if self.restrictions is not None and HandlingCode.H3 not in self.codes:
            raise ValidationFailed.field(
                "handling.restrictions", "restrictions are given only with handling code H3"
            )

    @classmethod
    def build(
        cls,
        tlp: str,
        codes: Iterable[str] = (),
        restrictions: str | None = None,
        originator_control: bool = False,
    ) -> Handling:
        """Validate raw values into a handling label; errors name the field."""
        try:
            label = Tlp.parse(tlp)
        except ValidationFailed as exc:
            raise exc.prefixed("handling") from None
        parsed: list[HandlingCode] = []
        for i, code in enumerate(codes):
            try:
                parsed.append(HandlingCode(code.strip().upper()))
            except ValueError:
                raise ValidationFailed.field(
                    f"handling.codes.{i}", f"unknown handling code {code!r} (one of H0, H1, H2, H3)"
                ) from None
        unique = tuple(sorted(set(parsed), key=lambda c: c.value))
        text = restrictions.strip() if restrictions and restrictions.strip() else None
        return cls(label, unique, text, originator_control)

    @property
    def onward_sharing_needs_consent(self) -> bool:
        """True when the originator must consent before anyone passes this on (H2 or ORCON)."""
        return self.originator_control or HandlingCode.H2 in self.codes

    def to_dict(self) -> dict[str, object]:
        """Plain JSON form, as the API and the export write it."""
        return {
            "tlp": self.tlp.value,
            "codes": [c.value for c in self.codes],
            "restrictions": self.restrictions,
            "originator_control": self.originator_control,
        }


@dataclass(frozen=True)
class Classification:
    """The node's ordered list of classification levels, lowest first."""

    levels: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.levels:
            raise ValueError("a classification scheme needs at least one level")

    @classmethod
    def of(cls, levels: Sequence[str]) -> Classification:
        """A scheme from a list of level names."""
        return cls(tuple(level.upper() for level in levels))

    @property
    def lowest(self) -> str:
        """The least protective level, used when a record does not say."""
        return self.levels[0]

    def parse(self, value: str, field: str = "classification") -> str:
        """The canonical level for ``value``, or a clear error naming the allowed ones."""
        level = value.strip().upper()
        if level not in self.levels:
            allowed = ", ".join(self.levels)
            raise ValidationFailed.field(
                field, f"unknown classification {value!r} (one of {allowed})"
            )
        return level

    def rank(self, level: str) -> int:
        """Position of ``level`` in the scheme (0 is the lowest)."""
        return self.levels.index(level)

    def dominates(self, clearance: str, level: str) -> bool:
        """True when a holder of ``clearance`` may see something at ``level``."""
        return self.rank(clearance) >= self.rank(level)
