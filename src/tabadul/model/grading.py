"""Grading of information: how reliable the source, how credible the information.

Two schemes are accepted:

- ``admiralty`` (NATO AJP-2.1, the default): source A–F, information 1–6.
- ``europol`` (the 4x4 system of Art. 29 of the Europol Regulation):
  source A, B, C or X, information 1–4.
"""

from __future__ import annotations

from dataclasses import dataclass

from tabadul.errors import ValidationFailed

SCHEMES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "admiralty": (
        {
            "A": "Completely reliable",
            "B": "Usually reliable",
            "C": "Fairly reliable",
            "D": "Not usually reliable",
            "E": "Unreliable",
            "F": "Reliability cannot be judged",
        },
        {
            "1": "Confirmed by other sources",
            "2": "Probably true",
            "3": "Possibly true",
            "4": "Doubtful",
            "5": "Improbable",
            "6": "Truth cannot be judged",
        },
    ),
    "europol": (
        {
            "A": "No doubt about the source's authenticity, trustworthiness and competence",
            "B": "Source has in most instances proved reliable",
            "C": "Source has in most instances proved unreliable",
            "X": "Reliability cannot be assessed",
        },
        {
            "1": "Accuracy not in doubt",
            "2": "Known personally to the source, not to the official passing it on",
            "3": "Not known personally to the source, corroborated by other information",
            "4": "Not known personally to the source, cannot be corroborated",
        },
    ),
}

DEFAULT_SCHEME = "admiralty"


@dataclass(frozen=True)
class Grading:
    """A source-reliability code and an information-credibility code under one scheme."""

    scheme: str
    source: str
    information: str

    @classmethod
    def build(cls, scheme: str, source: str, information: str) -> Grading:
        """Validate raw codes; errors name the field and the codes the scheme allows."""
        name = scheme.strip().lower()
        if name == "4x4":
            name = "europol"
        if name not in SCHEMES:
            raise ValidationFailed.field(
                "grading.scheme",
                f"unknown grading scheme {scheme!r} (one of {', '.join(SCHEMES)})",
            )
        sources, infos = SCHEMES[name]
        src = source.strip().upper()
        info = information.strip()
        if src not in sources:
            raise ValidationFailed.field(
                "grading.source",
                f"{src!r} is not a source code of the {name} scheme ({', '.join(sources)})",
            )
        if info not in infos:
            raise ValidationFailed.field(
                "grading.information",
                f"{info!r} is not an information code of the {name} scheme ({', '.join(infos)})",
            )
        return cls(name, src, info)

    @classmethod
    def ungraded(cls) -> Grading:
        """The grading of information nobody has assessed: 'cannot be judged' on both axes."""
        return cls("admiralty", "F", "6")

    @property
    def code(self) -> str:
        """The compact form analysts write, e.g. ``B2``."""
        return f"{self.source}{self.information}"

    @property
    def description(self) -> str:
        """Both codes spelled out."""
        sources, infos = SCHEMES[self.scheme]
        return f"{sources[self.source]}; {infos[self.information].lower()}"

    def to_dict(self) -> dict[str, str]:
        """Plain JSON form."""
        return {"scheme": self.scheme, "source": self.source, "information": self.information}
