"""Reports: one unit of information, its handling, grading, status and versions.

A report is never edited in place. Every change — a correction, a release,
a withdrawal — is a new version that keeps the earlier ones, so a reader can
always say what the node knew and when.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tabadul.errors import Conflict, ErrorDetail, ValidationFailed
from tabadul.model.grading import Grading
from tabadul.model.handling import Handling

TITLE_MAX = 500
BODY_MAX = 1_000_000
TOPIC_PATTERN = re.compile(r"^[^\s,]{1,64}$")


class ReportStatus(enum.Enum):
    """Where a report is in its life: drafted, released for use, or withdrawn."""

    DRAFT = "draft"
    RELEASED = "released"
    WITHDRAWN = "withdrawn"


class Nature(enum.Enum):
    """Whether a report states facts or an analyst's assessment (Directive 2016/680 Art. 7)."""

    FACT = "fact"
    ASSESSMENT = "assessment"


# Allowed status changes between consecutive versions. Withdrawal is final:
# a withdrawn report is kept (and audited) but never revived.
_TRANSITIONS = {
    ReportStatus.DRAFT: {ReportStatus.DRAFT, ReportStatus.RELEASED, ReportStatus.WITHDRAWN},
    ReportStatus.RELEASED: {ReportStatus.RELEASED, ReportStatus.WITHDRAWN},
    ReportStatus.WITHDRAWN: set(),
}


def check_transition(old: ReportStatus, new: ReportStatus) -> None:
    """Refuse a new version whose status does not follow from the current one."""
    if new not in _TRANSITIONS[old]:
        if old is ReportStatus.WITHDRAWN:
            raise Conflict("the report is withdrawn; it takes no new versions")
        raise Conflict(f"a {old.value} report cannot become {new.value}")


@dataclass(frozen=True)
class Mention:
    """A report mentions an entity, optionally at a span of its body.

    Spans count Unicode code points (not UTF-16 units) and exclude ``end``.
    """

    entity: str
    start: int | None = None
    end: int | None = None

    def check(self, body: str, index: int) -> None:
        """Refuse a span that is half given, reversed, or outside the body."""
        path = f"mentions.{index}"
        if (self.start is None) != (self.end is None):
            raise ValidationFailed.field(path, "give both start and end, or neither")
        if self.start is None or self.end is None:
            return
        if self.start < 0 or self.end <= self.start:
            raise ValidationFailed.field(path, "a span needs 0 <= start < end")
        if self.end > len(body):
            raise ValidationFailed.field(
                path, f"span {self.start}-{self.end} is outside the body ({len(body)} characters)"
            )


@dataclass(frozen=True)
class ReportContent:
    """Everything one version of a report says, checked against the model's rules."""

    title: str
    body: str
    language: str
    topics: tuple[str, ...]
    date_of_information: dt.date | None
    classification: str
    compartments: frozenset[str]
    handling: Handling
    grading: Grading
    nature: Nature
    review_by: dt.date
    status: ReportStatus

    def __post_init__(self) -> None:
        problems: list[ErrorDetail] = []
        if not self.title.strip():
            problems.append(ErrorDetail("title", "must not be empty"))
        elif len(self.title) > TITLE_MAX:
            problems.append(ErrorDetail("title", f"is longer than {TITLE_MAX} characters"))
        if len(self.body) > BODY_MAX:
            problems.append(ErrorDetail("body", f"is longer than {BODY_MAX} characters"))
        if problems:
            raise ValidationFailed("; ".join(f"{p.field}: {p.message}" for p in problems), problems)


def clean_topics(topics: Iterable[str]) -> tuple[str, ...]:
    """Topics as lower-case codes without spaces or commas, each once, in the order given."""
    seen: list[str] = []
    for i, topic in enumerate(topics):
        code = topic.strip().lower()
        if not TOPIC_PATTERN.match(code):
            raise ValidationFailed.field(
                f"topics.{i}",
                f"{topic!r} is not a topic code (1-64 characters, no spaces or commas)",
            )
        if code not in seen:
            seen.append(code)
    return tuple(seen)


def review_date(recorded_on: dt.date, years: int) -> dt.date:
    """The date a report recorded on ``recorded_on`` is due for review (29 Feb → 28 Feb)."""
    try:
        return recorded_on.replace(year=recorded_on.year + years)
    except ValueError:
        return recorded_on.replace(year=recorded_on.year + years, day=28)


def check_mentions(mentions: Sequence[Mention], body: str) -> None:
    """Check every mention's span against the body it points into."""
    for i, mention in enumerate(mentions):
        mention.check(body, i)
