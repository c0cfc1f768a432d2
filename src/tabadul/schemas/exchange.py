"""Exchange on the wire (this node's own API): shares, RFIs, partners, agreements."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from tabadul.schemas.common import Strict


class ShareIn(Strict):
    """The body of ``POST /api/v1/reports/{id}/shares``: which partners to share with."""

    partners: list[str] = Field(min_length=1, max_length=100)


class RfiIn(Strict):
    """A request for information to a partner."""

    partner: str
    subject: str = Field(min_length=1, max_length=500)
    question: str = Field(min_length=1, max_length=20_000)
    topic: str = Field(min_length=1, max_length=64)
    urgency: Literal["urgent", "normal"] = "normal"
    deadline: dt.datetime | None = None


class RfiReplyIn(Strict):
    """The answer to a partner's request for information."""

    answer: str = Field(min_length=1, max_length=100_000)


class ConsentRequestIn(Strict):
    """Ask the originator for consent to pass a report on to a third party (a partner id)."""

    third_party: str
    note: str | None = Field(default=None, max_length=2000)


class ConsentGrantIn(Strict):
    """As originator, consent that ``partner`` passes the report on to node ``third_party``."""

    partner: str
    third_party: str = Field(min_length=1, max_length=64)


class AcceptInvitationIn(Strict):
    """An invitation string from another node's administrator."""

    invitation: str = Field(min_length=10, max_length=20_000)


class ConfirmIn(Strict):
    """The partner's fingerprint, as its administrator read it out."""

    fingerprint: str = Field(min_length=8, max_length=200)


class AgreementIn(Strict):
    """A proposed agreement."""

    partner: str
    topics: list[str] = Field(min_length=1)
    max_tlp: str
    auto_answer_queries: bool = False
    valid_until: dt.date | None = None


class AgreementChangeIn(Strict):
    """Why an agreement is suspended or ended."""

    reason: str = Field(default="", max_length=2000)


class Envelopes(Strict):
    """A federation request: sealed messages (compact JWE), oldest first."""

    messages: list[str] = Field(max_length=500)


class Introduction(Strict):
    """A node accepting an invitation introduces itself (compact JWS)."""

    introduction: str = Field(max_length=20_000)
