"""Synthetic intelligence for demos, tests and benchmarks: invented people, never real ones.

People are assembled from common name elements (a given name, a father's
name, a family name) written in Arabic script and in the Latin spellings
partner services really use — English, French/Maghrebi, Spanish, German — so
that cross-script matching has something honest to chew on. Reports put
them in short texts in Arabic, French or English, with organisations,
phones, passports and vehicles. Every generator takes a seed: the same seed
gives the same data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# Common given names: Arabic form, then Latin spellings (English, French/Maghrebi, Spanish, German).
GIVEN = [
    ("محمد", ["Mohammed", "Mohamed", "Muhammad", "Mohammad", "Mouhamed"]),
    ("أحمد", ["Ahmed", "Ahmad", "Ahmet"]),
    ("يوسف", ["Youssef", "Yusuf", "Youcef", "Yousef", "Jussuf"]),
    ("كريم", ["Karim", "Kareem", "Carim"]),
    ("طارق", ["Tarik", "Tariq", "Tareq", "Tarek"]),
    ("خالد", ["Khaled", "Khalid", "Jalid", "Chalid"]),
    ("عمر", ["Omar", "Umar", "Omer"]),
    ("مصطفى", ["Mustafa", "Mostafa", "Moustapha", "Mostefa"]),
    ("جمال", ["Jamal", "Djamel", "Gamal", "Yamal"]),
    ("رشيد", ["Rachid", "Rashid", "Rasheed", "Raschid"]),
    ("سعيد", ["Said", "Saeed", "Saïd", "Sayid"]),
    ("حسن", ["Hassan", "Hasan", "Hacen"]),
    ("عبد الله", ["Abdallah", "Abdullah", "Abdellah", "Abd Allah"]),
    ("عبد الرحيم", ["Abderrahim", "Abdul Rahim", "Abdelrahim", "Abdurrahim"]),
    ("إبراهيم", ["Ibrahim", "Brahim", "Ebrahim"]),
    ("إسماعيل", ["Ismail", "Ismaïl", "Smail", "Esmail"]),
    ("نور الدين", ["Noureddine", "Nur al-Din", "Nourredine", "Nuruddin"]),
    ("هشام", ["Hicham", "Hisham", "Hichem"]),
    ("أيوب", ["Ayoub", "Ayyub", "Ayub"]),
    ("زكرياء", ["Zakaria", "Zakariya", "Zakariyya"]),
]
GIVEN_FEMALE = [
    ("فاطمة", ["Fatima", "Fatma", "Fatimah"]),
    ("خديجة", ["Khadija", "Khadidja", "Jadiya", "Chadidscha"]),
    ("مريم", ["Maryam", "Meriem", "Mariam"]),
    ("سلمى", ["Salma", "Selma"]),
    ("نادية", ["Nadia", "Nadiya"]),
]
FAMILY = [
    ("السعيدي", ["Saidi", "al-Saeedi", "Es-Saidi", "El Saidi", "Al Saidi"]),
    ("بن علي", ["Benali", "Ben Ali", "bin Ali", "Ben Aly"]),
    ("الإدريسي", ["El Idrissi", "al-Idrisi", "Idrissi", "Alidrissi"]),
    ("العلوي", ["Alaoui", "El Alaoui", "al-Alawi", "Alawi"]),
    ("الشرقاوي", ["Cherkaoui", "al-Sharqawi", "Charkaoui", "Sharkawi"]),
    ("بوزيان", ["Bouziane", "Bouzian", "Buzian"]),
    ("الحداد", ["Haddad", "El Haddad", "al-Haddad"]),
    ("الخطيب", ["El Khatib", "al-Khatib", "Khatib", "Jatib"]),
    ("التازي", ["Tazi", "Et-Tazi", "al-Tazi"]),
    ("الفاسي", ["El Fassi", "al-Fasi", "Fassi"]),
    ("بنجلون", ["Benjelloun", "Ben Jelloun", "Benjellun"]),
    ("الزروالي", ["Zerouali", "Ezzerouali", "al-Zarwali"]),
    ("المنصوري", ["Mansouri", "El Mansouri", "al-Mansuri"]),
    ("الشاوي", ["Chaoui", "al-Shawi", "Echaoui"]),
    ("القاسمي", ["Kasmi", "El Qasimi", "al-Qasimi", "Gasmi"]),
    ("بوعزة", ["Bouazza", "Bou Azza", "Buazza"]),
    ("ولد أحمد", ["Ould Ahmed", "Uld Ahmad", "Wuld Ahmed"]),
    ("الرفاعي", ["Rifai", "El Rifai", "al-Rifaei"]),
    ("الطاهري", ["Tahiri", "Et-Tahiri", "al-Tahiri"]),
    ("النجار", ["Najjar", "En-Najjar", "Nadjar"]),
]
# Consonants for invented family names: Arabic letter, then how partners write it in
# Latin script (English/scholarly, French/Maghrebi, Spanish, German habits).
CONSONANTS = [
    ("ب", ["b"]),
    ("ت", ["t"]),
    ("ج", ["j", "dj", "g", "dsch"]),
    ("ح", ["h"]),
    ("خ", ["kh", "kh", "j", "ch"]),
    ("د", ["d"]),
    ("ر", ["r"]),
    ("ز", ["z"]),
    ("س", ["s"]),
    ("ش", ["ch", "sh", "sch"]),
    ("ص", ["s"]),
    ("ط", ["t"]),
    ("ف", ["f"]),
    ("ق", ["k", "q", "g"]),
    ("ك", ["k"]),
    ("ل", ["l"]),
    ("م", ["m"]),
    ("ن", ["n"]),
]
# Patterns of invented family names: (Arabic template, Latin templates), 1-2-3 = the root.
SURNAME_PATTERNS = [
    ("ال1ا2ي", ["1a2i", "El 1a2i", "al-1a2i"]),  # nisba: al-Fasi
    ("ال12ا3ي", ["1a2a3i", "El 12a3i", "al-1a2a3i", "1a2ai3i"]),  # al-Zarwali
    ("بن 1ي2ا3", ["Ben 1i2a3", "Ben1i2a3", "bin 1i2a3"]),  # compound with Ben: Benkirane
    ("بو1ا2", ["Bou1a2", "Bou 1a2", "Bu1a2"]),  # Bouziane
]
ORGANISATIONS = [
    ("خلية الشمال", "Cellule du Nord", "Northern Cell"),
    ("جمعية الأمل للتجارة", "Association Al Amal", "Al Amal Trading Association"),
    ("شركة النور للنقل", "Société Annour Transport", "Annour Transport Company"),
    ("مجموعة الفجر", "Groupe Al Fajr", "Al Fajr Group"),
    ("مؤسسة الرحمة", "Fondation Errahma", "Errahma Foundation"),
]
PLACES = [
    ("طنجة", "Tanger", "Tangier"),
    ("الدار البيضاء", "Casablanca", "Casablanca"),
    ("فاس", "Fès", "Fez"),
    ("مراكش", "Marrakech", "Marrakesh"),
    ("مدريد", "Madrid", "Madrid"),
    ("برلين", "Berlin", "Berlin"),
    ("بروكسل", "Bruxelles", "Brussels"),
    ("مليلية", "Melilla", "Melilla"),
]
# Moroccan mobile prefixes that libphonenumber accepts in full.
MOBILE_PREFIXES = ["61", "62", "63", "64", "65", "66", "67", "70", "77"]
TOPICS = ["terrorism", "financing", "radicalisation", "trafficking", "foreign-fighters", "cyber"]
NATIONALITIES = ["ma", "ma", "ma", "dz", "tn", "es", "fr", "be", "de", "nl"]
TLPS = ["CLEAR", "GREEN", "AMBER", "AMBER", "AMBER+STRICT", "RED"]
CLASSIFICATIONS = ["RESTRICTED", "RESTRICTED", "CONFIDENTIAL", "SECRET"]

_TEMPLATES = {
    "ar": [
        "{p0} شوهد في {place} برفقة {p1} يوم {date}. ويشتبه في صلته بـ{org}.",
        "أفادت مصادر بأن {p0} تواصل مع {p1} عبر الهاتف {phone} قبل سفره إلى {place}.",
        "تم رصد تحويلات مالية من {p0} لفائدة {org} في {place} بتاريخ {date}.",
    ],
    "fr": [
        "{p0} a été observé à {place} en compagnie de {p1} le {date}. Lien présumé avec {org}.",
        "Selon une source, {p0} a contacté {p1} au {phone} avant de se rendre à {place}.",
        "Des virements de {p0} au profit de {org} ont été relevés à {place} le {date}.",
    ],
    "en": [
        "{p0} was seen in {place} with {p1} on {date}. Suspected link to {org}.",
        "A source reports that {p0} called {p1} on {phone} before travelling to {place}.",
        "Transfers from {p0} to {org} were recorded in {place} on {date}.",
    ],
}
_TITLES = {
    "ar": ["لقاء مشبوه في {place}", "اتصالات {p0}", "تحويلات مالية لفائدة {org}"],
    "fr": ["Rencontre suspecte à {place}", "Contacts de {p0}", "Virements au profit de {org}"],
    "en": ["Suspicious meeting in {place}", "Contacts of {p0}", "Transfers to {org}"],
}


@dataclass(frozen=True)
class SyntheticPerson:
    """An invented person: the Arabic-script name, Latin spellings of it, and some attributes."""

    arabic: str
    latin: list[str]
    gender: str
    birth_date: str
    nationality: str
    phone: str
    passport: str

    def entity(
        self,
        ref: str,
        spellings: int = 2,
        category: str = "suspect",
        names: list[str] | None = None,
    ) -> dict[str, Any]:
        """The person as an entity of a report (API format), with some of their spellings.

        ``names`` replaces the spellings: a partner's report knows the person
        only by the one spelling it uses, which is what cross-script matching
        has to work from.
        """
        return {
            "id": ref,
            "schema": "Person",
            "properties": {
                "name": names if names is not None else [self.arabic, *self.latin[:spellings]],
                "gender": [self.gender],
                "birthDate": [self.birth_date],
                "nationality": [self.nationality],
                "phone": [self.phone],
                "passportNumber": [self.passport],
            },
            "category": category,
        }


def invented_families(count: int, seed: int = 1) -> list[tuple[str, list[str]]]:
    """``count`` distinct invented family names: Arabic script and 3-4 Latin spellings.

    Built from random consonant roots and common name patterns (nisba,
    Ben-/Bou- compounds), each consonant written the ways partners write it,
    so that a large synthetic population has a realistic spread of names
    instead of a few dozen shared by everybody.
    """
    rng = random.Random(seed)  # noqa: S311 (synthetic data)
    found: dict[str, list[str]] = {}
    attempts = 0
    while len(found) < count and attempts < count * 20:
        attempts += 1
        root = rng.sample(CONSONANTS, 3)
        arabic_template, latin_templates = rng.choice(SURNAME_PATTERNS)
        arabic = arabic_template
        for position, (letter, _) in enumerate(root, start=1):
            arabic = arabic.replace(str(position), letter)
        if arabic in found:
            continue
        spellings = []
        for template in latin_templates:
            latin = template
            for position, (_, options) in enumerate(root, start=1):
                latin = latin.replace(str(position), rng.choice(options))
            latin = " ".join(part[:1].upper() + part[1:] for part in latin.split(" "))
            latin = latin.replace("Al-", "al-").replace("Bin ", "bin ")
            if latin not in spellings:
                spellings.append(latin)
        found[arabic] = spellings
    return list(found.items())


@dataclass
class Generator:
    """A seeded source of synthetic people and reports.

    ``families`` adds that many invented family names to the common ones, for
    populations large enough that a few dozen names would make everybody a
    namesake of everybody (the correlation benchmark uses 20,000).
    """

    seed: int = 20261123
    families: int = 0
    rng: random.Random = field(init=False)
    family_names: list[tuple[str, list[str]]] = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 (synthetic data, not secrets)
        self.family_names = FAMILY + invented_families(self.families, self.seed)

    def person(self) -> SyntheticPerson:
        """A new invented person with a three-part name in Arabic and 3-5 Latin spellings."""
        rng = self.rng
        female = rng.random() < 0.2
        given = rng.choice(GIVEN_FEMALE if female else GIVEN)
        father = rng.choice(GIVEN)
        family = rng.choice(self.family_names)
        arabic = f"{given[0]} {father[0]} {family[0]}"
        latin: list[str] = []
        for _ in range(rng.randint(3, 5)):
            parts = [rng.choice(given[1])]
            if rng.random() < 0.5:  # the father's name is often left out
                link = rng.choice(["", "", "ben ", "bin ", "ibn "]) if not female else ""
                parts.append(link + rng.choice(father[1]))
            parts.append(rng.choice(family[1]))
            if rng.random() < 0.3:
                parts = [parts[-1].upper(), *parts[:-1]]  # FAMILY Given, as on passports
            spelling = " ".join(parts)
            if spelling not in latin:
                latin.append(spelling)
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 45))
        return SyntheticPerson(
            arabic=arabic,
            latin=latin,
            gender="female" if female else "male",
            birth_date=born.isoformat(),
            nationality=rng.choice(NATIONALITIES),
            phone=f"+212{rng.choice(MOBILE_PREFIXES)}{rng.randrange(1_000_000, 9_999_999)}",
            passport=f"{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}"
            f"{rng.randrange(1_000_000, 9_999_999)}",
        )

    def people(self, n: int) -> list[SyntheticPerson]:
        """``n`` invented people."""
        return [self.person() for _ in range(n)]

    def report(
        self,
        people: list[SyntheticPerson] | None = None,
        language: str | None = None,
        *,
        as_written: bool = False,
    ) -> dict[str, Any]:
        """A report in the API format about two people, with 3-5 entities.

        With ``as_written`` the people carry only the spelling the text uses
        (Arabic script in an Arabic report, one Latin spelling otherwise), as
        in a report that reaches a node from a partner.
        """
        rng = self.rng
        lang = language or rng.choice(["ar", "ar", "fr", "en"])
        p0, p1 = people[:2] if people and len(people) >= 2 else (self.person(), self.person())
        org = rng.choice(ORGANISATIONS)
        place = rng.choice(PLACES)
        index = {"ar": 0, "fr": 1, "en": 2}[lang]
        name0 = p0.arabic if lang == "ar" else rng.choice(p0.latin)
        name1 = p1.arabic if lang == "ar" else rng.choice(p1.latin)
        when = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(700))
        slots = {
            "p0": name0,
            "p1": name1,
            "org": org[index],
            "place": place[index],
            "date": when.isoformat(),
            "phone": p0.phone,
        }
        title = rng.choice(_TITLES[lang]).format(**slots)
        body = rng.choice(_TEMPLATES[lang]).format(**slots)
        entities = [
            p0.entity("p0", names=[name0] if as_written else None),
            p1.entity("p1", category="contact", names=[name1] if as_written else None),
        ]
        mentions = [_span("p0", body, name0), _span("p1", body, name1)]
        if org[index] in body:
            entities.append(
                {"id": "o0", "schema": "Organization", "properties": {"name": list(org)}}
            )
            mentions.append(_span("o0", body, org[index]))
            if rng.random() < 0.5:
                entities.append(
                    {
                        "id": "m0",
                        "schema": "Membership",
                        "properties": {"member": ["p0"], "organization": ["o0"]},
                    }
                )
        if len(entities) < 4:
            entities.append(
                {
                    "id": "v0",
                    "schema": "Vehicle",
                    "properties": {
                        "registrationNumber": [
                            f"{rng.randrange(10000, 99999)}-A-{rng.randrange(1, 90)}"
                        ]
                    },
                }
            )
        return {
            "title": title,
            "body": body,
            "language": lang,
            "topics": rng.sample(TOPICS, rng.randint(1, 2)),
            "date_of_information": when.isoformat(),
            "classification": rng.choice(CLASSIFICATIONS),
            "handling": {
                "tlp": rng.choice(TLPS),
                "codes": rng.sample(["H0", "H1", "H2"], rng.randint(0, 2)),
            },
            "grading": {
                "scheme": "admiralty",
                "source": rng.choice("ABCDEF"),
                "information": rng.choice("123456"),
            },
            "nature": rng.choice(["fact", "fact", "assessment"]),
            "entities": entities,
            "mentions": [m for m in mentions if m is not None],
        }

    def reports(self, n: int, population: int = 5000) -> Iterator[dict[str, Any]]:
        """``n`` reports about people drawn from a population, so the same people recur."""
        pool = self.people(min(population, max(2, n)))
        for _ in range(n):
            yield self.report(self.rng.sample(pool, 2))


def _span(ref: str, body: str, text: str) -> dict[str, Any] | None:
    start = body.find(text)
    if start < 0:
        return None
    return {"entity": ref, "start": start, "end": start + len(text)}
