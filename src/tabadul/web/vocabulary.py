"""Words the pages show that come from data, not from templates — marked so they are translated.

Schema and property labels come from FollowTheMoney's own catalogues
(Arabic and French included); everything else is here.
"""

from __future__ import annotations

from tabadul.web.i18n import N_

ROLES = (N_("analyst"), N_("liaison"), N_("supervisor"), N_("administrator"), N_("auditor"))
STATUSES = (N_("draft"), N_("released"), N_("withdrawn"))
NATURES = (N_("fact"), N_("assessment"))
CATEGORIES = (
    N_("suspect"),
    N_("convicted"),
    N_("victim"),
    N_("witness"),
    N_("contact"),
    N_("other"),
)
OUTCOMES = (N_("allowed"), N_("refused"))
TAG_KINDS = (
    N_("person"),
    N_("organization"),
    N_("address"),
    N_("vehicle"),
    N_("passport"),
    N_("identification"),
    N_("bankaccount"),
    N_("cryptowallet"),
    N_("phone"),
    N_("email"),
)
# FollowTheMoney labels its own catalogues do not translate (yet) into Arabic or French.
LABELS = (
    N_("Abbreviation"),
    N_("Account ID"),
    N_("Account number"),
    N_("Alias"),
    N_("Bank account"),
    N_("Bank name"),
    N_("Citizenship"),
    N_("City"),
    N_("Crypto address"),
    N_("Cryptocurrency wallet"),
    N_("Education"),
    N_("Email"),
    N_("Employment"),
    N_("Ethnicity"),
    N_("Full address"),
    N_("Holder"),
    N_("Identification"),
    N_("Identification holder"),
    N_("Name suffix"),
    N_("Occupancy"),
    N_("Political association"),
    N_("Postal code"),
    N_("Profession"),
    N_("Street address"),
    N_("Wallet holder"),
)
# Titles of error pages, by HTTP status.
ERROR_TITLES = {
    400: N_("The request is missing something."),
    401: N_("Please sign in."),
    403: N_("You may not do this."),
    404: N_("Not found."),
    409: N_("This conflicts with what is recorded."),
    422: N_("The request could not be processed."),
    429: N_("Too many attempts; try again later."),
    500: N_("The node could not complete the request."),
}
# What a hit's reasons are about (tabadul.matching.scoring).
REASON_KINDS = (
    N_("name"),
    N_("selector"),
    N_("birth_date"),
    N_("nationality"),
    N_("gender"),
    N_("watched"),
)
# Federation messages as the inbox and the dashboard name them.
MESSAGE_TYPES = {
    "report.share": N_("Report shared"),
    "report.update": N_("Report corrected"),
    "report.withdraw": N_("Report withdrawn"),
    "rfi.request": N_("Request for information"),
    "rfi.reply": N_("Answer to a request"),
    "query.hitnohit": N_("Hit/no-hit query"),
    "query.answer": N_("Hit/no-hit answer"),
    "consent.request": N_("Consent requested"),
    "consent.grant": N_("Consent granted"),
}
# What a hit/no-hit query may be about.
QUERY_KINDS = {
    "name": N_("Name (any script)"),
    "phone": N_("Phone number"),
    "email": N_("E-mail address"),
    "document": N_("Identity document number"),
    "iban": N_("IBAN"),
    "account": N_("Account number"),
    "wallet": N_("Crypto-currency wallet"),
    "vehicle": N_("Vehicle registration"),
}
# Answers to hit/no-hit queries and statuses of shares.
ANSWERS = (
    N_("queued"),
    N_("hit"),
    N_("no_hit"),
    N_("not_allowed"),
    N_("refused"),
    N_("delivered"),
    N_("pending-approval"),
)
# Search facets and result kinds; qualities and urgencies partners send.
FACET_NAMES = (
    N_("kind"),
    N_("status"),
    N_("tlp"),
    N_("classification"),
    N_("originator"),
    N_("schema"),
    N_("language"),
    N_("topic"),
    N_("report"),
    N_("entity"),
    N_("strong"),
    N_("possible"),
    N_("urgent"),
    N_("normal"),
)
# Partner and agreement statuses.
FEDERATION_STATUSES = (
    N_("invited"),
    N_("unconfirmed"),
    N_("proposed"),
    N_("active"),
    N_("suspended"),
    N_("ended"),
)
