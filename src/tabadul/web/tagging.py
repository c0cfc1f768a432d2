"""Entity tags from the report editor, turned into the entities and mentions of a report.

The editor lets an analyst select text in the body and tag it as a person,
an organisation, a phone number and so on. It sends the tags as JSON:

    [{"ref": "t1", "kind": "person", "text": "طارق السعيدي", "start": 0, "end": 12,
      "category": "suspect"},
     {"ref": "t2", "kind": "phone", "text": "0612345678", "start": 40, "end": 50, "attach": "t1"},
     {"ref": "01a2…", "kind": "existing", "text": "…", "start": 60, "end": 70}]

Spans count code points. If the body changed after tagging, a tag's text is
looked for again; a tag whose text is gone still links its entity to the
report, without a span. Phones and e-mail addresses are properties of the
person or organisation they are attached to, as in FollowTheMoney.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tabadul.errors import ValidationFailed

# Tag kind → (FtM schema, the property the tagged text fills).
KINDS = {
    "person": ("Person", "name"),
    "organization": ("Organization", "name"),
    "address": ("Address", "full"),
    "vehicle": ("Vehicle", "registrationNumber"),
    "passport": ("Passport", "number"),
    "identification": ("Identification", "number"),
    "bankaccount": ("BankAccount", "accountNumber"),
    "cryptowallet": ("CryptoWallet", "publicKey"),
}
ATTACHED = {"phone": "phone", "email": "email"}  # properties of the entity a tag is attached to


@dataclass(frozen=True)
class Tagged:
    """What the tags make of a report: entities to create and mentions to record."""

    entities: list[dict[str, Any]]
    mentions: list[dict[str, Any]]


def from_tags(raw: str, body: str) -> Tagged:
    """Entities and mentions for the report API from the editor's tags JSON."""
    if not raw.strip():
        return Tagged([], [])
    try:
        tags = json.loads(raw)
    except json.JSONDecodeError:
        raise ValidationFailed.field("tags", "the entity tags could not be read") from None
    if not isinstance(tags, list):
        raise ValidationFailed.field("tags", "the entity tags could not be read")
    entities: dict[str, dict[str, Any]] = {}
    mentions: list[dict[str, Any]] = []
    attached: list[dict[str, Any]] = []
    for i, tag in enumerate(tags):
        if not isinstance(tag, dict) or not isinstance(tag.get("text"), str):
            raise ValidationFailed.field(f"tags.{i}", "a tag needs its text")
        kind, ref = str(tag.get("kind", "")), str(tag.get("ref") or f"t{i}")
        if kind in KINDS:
            schema, prop = KINDS[kind]
            entity = entities.setdefault(ref, {"id": ref, "schema": schema, "properties": {}})
            values = entity["properties"].setdefault(prop, [])
            if tag["text"].strip() not in values:
                values.append(tag["text"].strip())
            if schema == "Person" and tag.get("category"):
                entity["category"] = str(tag["category"])
        elif kind in ATTACHED:
            attached.append(tag)
            continue
        elif kind != "existing":
            raise ValidationFailed.field(f"tags.{i}.kind", f"unknown kind of tag {kind!r}")
        mentions.append(_mention(ref, tag, body))
    for tag in attached:
        owner = entities.get(str(tag.get("attach", "")))
        if owner is None:
            raise ValidationFailed.field(
                "tags",
                f"{tag['text']!r}: attach it to a person or organisation tagged in this report",
            )
        values = owner["properties"].setdefault(ATTACHED[str(tag["kind"])], [])
        values.append(tag["text"].strip())
        mentions.append(_mention(owner["id"], tag, body))
    return Tagged(list(entities.values()), mentions)


def _mention(ref: str, tag: dict[str, Any], body: str) -> dict[str, Any]:
    text = str(tag["text"])
    start, end = tag.get("start"), tag.get("end")
    if isinstance(start, int) and isinstance(end, int) and body[start:end] == text:
        return {"entity": ref, "start": start, "end": end}
    found = body.find(text) if text else -1
    if found >= 0:
        return {"entity": ref, "start": found, "end": found + len(text)}
    return {"entity": ref}  # the text is gone from the body: the link stays, without a span


def to_tags(mentions: list[Any], body: str) -> str:
    """The tags JSON that stands for a stored version's mentions (for the edit form)."""
    tags = []
    for m in mentions:
        text = body[m.start : m.end] if m.start is not None else ""
        tags.append(
            {"ref": m.entity, "kind": "existing", "text": text, "start": m.start, "end": m.end}
        )
    return json.dumps(tags, ensure_ascii=False)
