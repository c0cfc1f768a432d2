"""The demonstration's script: a partner's report, a cross-script hit, an RFI, a withdrawal.

Rabat (the Moroccan service) holds an Arabic-script file on an invented
person. Madrid shares a report that names the same person in Latin script
with Rabat and Berlin; Rabat's correlation raises a hit; Rabat's supervisor
confirms it; Rabat's liaison officer asks Madrid for more; Madrid answers;
Madrid withdraws its report and the withdrawal reaches Rabat and Berlin.

Every step acts through a node's API, as its user would, and then waits
until its effect can be read through the API of the node where it should
appear, so a step that did not happen stops the script with a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from tabadul.demo import cluster
from tabadul.demo.cluster import DemoNode, wait_for
from tabadul.schemas.matching import EntryIn, WatchlistIn
from tabadul.schemas.reports import ReportIn
from tabadul.services import accounts, reports, watchlists
from tabadul.synthetic import Generator, SyntheticPerson

SEED = 1001  # the invented person at the centre of the script
TOPICS = ["terrorism", "financing"]


@dataclass
class Scene:
    """The three nodes and what the script has done so far."""

    rabat: DemoNode
    madrid: DemoNode
    berlin: DemoNode
    ids: dict[str, str] = field(default_factory=dict)
    person: SyntheticPerson = field(default_factory=lambda: Generator(seed=SEED).person())
    spelling: str = ""  # how Madrid writes the person's name, once it has
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One step: what happens, where to watch it, and the action that makes it happen."""

    title: str
    watch: str
    act: Callable[[Scene], str]


def prepare(nodes: list[DemoNode]) -> Scene:
    """Link the three nodes, make the agreements and give Rabat its Arabic-script file.

    Every pair is linked (fingerprints confirmed both ways) and works under
    an agreement on terrorism and financing up to TLP:AMBER.
    """
    rabat, madrid, berlin = nodes
    scene = Scene(rabat, madrid, berlin)
    ids = scene.ids
    ids["madrid@rabat"], ids["rabat@madrid"] = cluster.link(rabat, madrid)
    ids["berlin@madrid"], ids["madrid@berlin"] = cluster.link(madrid, berlin)
    ids["berlin@rabat"], ids["rabat@berlin"] = cluster.link(rabat, berlin)
    cluster.agree(rabat, madrid, ids["madrid@rabat"], TOPICS, "AMBER")
    cluster.agree(madrid, berlin, ids["berlin@madrid"], TOPICS, "AMBER")
    cluster.agree(rabat, berlin, ids["berlin@rabat"], TOPICS, "AMBER")
    ids["file"] = _record_file(rabat, scene.person)
    ids["watchlist"] = _watch(rabat, scene.person)
    return scene


def _record_file(rabat: DemoNode, person: SyntheticPerson) -> str:
    """Rabat's own report on the person, in Arabic, naming them in Arabic script only."""
    generator = Generator(seed=SEED + 1)
    item = generator.report([person, generator.person()], language="ar", as_written=True)
    item.update(
        title=f"ملف {person.arabic}",
        topics=["terrorism"],
        classification="RESTRICTED",
        handling={"tlp": "AMBER", "codes": ["H2"]},
    )
    with rabat.opened() as node:
        analyst = accounts.principal_named(node, "analyst")
        made = reports.record(node, analyst, ReportIn.model_validate(item), cluster.PURPOSE)
    return made.id


def _watch(rabat: DemoNode, person: SyntheticPerson) -> str:
    """Rabat's analyst watches the person's Arabic name, with the supervisor and liaison."""
    with rabat.opened() as node:
        analyst = accounts.principal_named(node, "analyst")
        made = watchlists.create(
            node,
            analyst,
            WatchlistIn(
                name=f"ملف {person.arabic}",
                description="Subjects of an open file (demonstration).",
                members=["supervisor", "liaison"],
            ),
        )
        watchlists.add_entry(node, analyst, made.id, EntryIn(kind="name", value=person.arabic))
    return made.id


def _share(scene: Scene) -> str:
    madrid = scene.madrid
    generator = Generator(seed=SEED + 2)
    item = generator.report([scene.person, generator.person()], language="en", as_written=True)
    # The partner knows the person only by the one Latin spelling its report uses

    # and its date of birth: no shared phone or passport, the name has to carry the match.
    properties = item["entities"][0]["properties"]
    scene.spelling = properties["name"][0]
    for known_only_to_rabat in ("phone", "passportNumber"):
        properties.pop(known_only_to_rabat, None)
    item.update(
        title=f"Travel of {scene.spelling}",
        topics=["terrorism"],
        classification=None,
        handling={"tlp": "AMBER", "codes": ["H2"]},
    )
    report = madrid.ok("POST", "/api/v1/reports", "liaison", json=item)
    scene.ids["report"] = report["id"]
    partners = [scene.ids["rabat@madrid"], scene.ids["berlin@madrid"]]
    shares = madrid.ok(
        "POST", f"/api/v1/reports/{report['id']}/shares", "liaison", json={"partners": partners}
    )["shares"]
    for share in shares:
        path = f"/api/v1/shares/{share['id']}"
        wait_for(partial(_shows, madrid, path, "liaison", status="delivered"), "the receipt")
    for node in (scene.rabat, scene.berlin):
        path = f"/api/v1/reports/{report['id']}"
        wait_for(partial(_shows, node, path, "analyst"), f"the report to reach {node.site.key}")
    return (
        f"Madrid shared report {report['id']} naming «{scene.spelling}»; Rabat and Berlin hold it"
    )


def _hit(scene: Scene) -> str:
    rabat = scene.rabat
    arabic, latin = scene.person.arabic, scene.spelling

    def found() -> dict[str, Any] | None:
        page = rabat.ok("GET", "/api/v1/hits?limit=200", "analyst")
        for hit in page["items"]:
            names = [
                set(side["properties"].get("name", [])) for side in (hit["left"], hit["right"])
            ]
            if any(arabic in a and latin in b for a, b in (names, names[::-1])):
                return dict(hit)
        return None

    def alerted() -> list[dict[str, Any]]:
        alerts = rabat.ok("GET", "/api/v1/alerts", "supervisor")
        return [a for a in alerts if a["watchlist_id"] == scene.ids["watchlist"]]

    hit = wait_for(found, "Rabat's correlation to raise the hit")
    scene.ids["hit"] = hit["id"]
    scene.evidence["score"] = hit["score"]
    scene.evidence["alerts"] = wait_for(alerted, "the watchlist alert at Rabat")
    return (
        f"Rabat raised hit {hit['id']}: «{latin}» ~ «{arabic}», score {hit['score']:.2f};"
        " its watchlist alerted the supervisor"
    )


def _confirm(scene: Scene) -> str:
    hit = scene.rabat.ok(
        "POST",
        f"/api/v1/hits/{scene.ids['hit']}/review",
        "supervisor",
        json={
            "decision": "confirmed",
            "reason": "Same person: the partner's spelling of our subject's name, same context.",
        },
    )
    return f"Rabat's supervisor confirmed the hit (state: {hit['state']})"


def _rfi(scene: Scene) -> str:
    rabat, madrid = scene.rabat, scene.madrid
    sent = rabat.ok(
        "POST",
        "/api/v1/rfis",
        "liaison",
        json={
            "partner": scene.ids["madrid@rabat"],
            "subject": f"Travel of {scene.spelling}",
            "question": (
                f"Your report names {scene.spelling}, whom we hold as {scene.person.arabic}. "
                "Do you hold travel dates and the phone numbers used?"
            ),
            "topic": "terrorism",
            "urgency": "urgent",
        },
    )
    scene.ids["rfi"] = sent["id"]
    wait_for(
        lambda: any(
            m["id"] == sent["id"]
            for m in madrid.ok("GET", "/api/v1/inbox?type=rfi.request", "liaison")
        ),
        "the request to reach Madrid",
    )
    return f"Rabat's liaison officer sent request {sent['id']}; it is in Madrid's inbox"


def _answer(scene: Scene) -> str:
    rfi_id = scene.ids["rfi"]
    scene.madrid.ok(
        "POST",
        f"/api/v1/rfis/{rfi_id}/reply",
        "liaison",
        json={
            "answer": f"Two crossings Algeciras–Tangier, 3 and 9 April; phone {scene.person.phone}."
        },
    )
    rfi = wait_for(
        lambda: (r := scene.rabat.ok("GET", f"/api/v1/rfis/{rfi_id}", "liaison"))["replies"] and r,
        "the answer to reach Rabat",
    )
    return f"Madrid answered; Rabat reads: {rfi['replies'][0]['answer']}"


def _withdraw(scene: Scene) -> str:
    report_id = scene.ids["report"]
    scene.madrid.ok(
        "POST",
        f"/api/v1/reports/{report_id}/withdraw",
        "liaison",
        json={"reason": "The source has retracted the sighting."},
    )
    for node in (scene.rabat, scene.berlin):
        wait_for(
            partial(_shows, node, f"/api/v1/reports/{report_id}", "analyst", status="withdrawn"),
            f"the withdrawal to reach {node.site.key}",
        )
    return "Madrid withdrew its report; it is withdrawn at Rabat and Berlin too"


def _shows(node: DemoNode, path: str, who: str, **expected: str) -> bool:
    """Whether ``who`` can read ``path`` on ``node`` and it holds the ``expected`` values."""
    response = node.api("GET", path, who)
    if not response.is_success:
        return False
    body = response.json()
    return all(body.get(k) == v for k, v in expected.items())


STEPS = (
    Step(
        "A partner shares a report naming a person in Latin script",
        "Madrid (liaison): the report and its shares. Rabat and Berlin (analyst): Reports.",
        _share,
    ),
    Step(
        "Rabat raises a hit on its Arabic-script file",
        "Rabat (supervisor): the watchlist alert on the dashboard, then Hits.",
        _hit,
    ),
    Step(
        "Rabat's supervisor confirms the hit",
        "Rabat (supervisor): the hit, side by side, now confirmed.",
        _confirm,
    ),
    Step(
        "Rabat sends a request for information to Madrid",
        "Madrid (liaison): the inbox holds the urgent request.",
        _rfi,
    ),
    Step(
        "Madrid answers the request",
        "Rabat (liaison): the request now carries Madrid's answer.",
        _answer,
    ),
    Step(
        "Madrid withdraws its report; the withdrawal propagates",
        "Rabat and Berlin (analyst): the report is marked withdrawn.",
        _withdraw,
    ),
)


def play(scene: Scene, before: Callable[[int, Step], None], after: Callable[[str], None]) -> None:
    """Play every step: ``before`` announces it (and may wait), ``after`` reports its effect."""
    for number, step in enumerate(STEPS, start=1):
        before(number, step)
        after(step.act(scene))
