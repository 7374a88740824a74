"""Role and institution words: who speaks for whom."""
from __future__ import annotations

ANALYST_ROLES = frozenset({"analyst", "economist", "fellow", "professor", "strategist", "researcher", "expert", "scholar",
                           "commentator", "lawyer", "attorney", "consultant", "partner"})
ROLE_WORDS = frozenset({"spokesman", "spokeswoman", "spokesperson", "minister", "secretary", "president", "chair", "chairman",
                        "chairwoman", "director", "negotiator", "envoy", "commissioner", "head", "chief", "leader", "official",
                        "executive", "member", "ambassador", "adviser", "advisor", "governor", "deputy", "representative",
                        "delegate", "critic", "manager", "officer", "founder", "ceo", "chancellor", "premier", "councillor",
                        "vice-president", "vice", "general", "mayor", "diplomat", "aide", "officials", "delegation"})
GOV_NOUNS = frozenset({"government", "ministry", "administration", "cabinet", "chancellery", "officials", "authorities",
                       "delegation", "diplomats", "negotiators"})
ORG_ANAPHORA = {"union": ("union",), "company": ("COMPANY", ""), "group": ("group", "alliance", "association", ""),
                "department": ("department",), "ministry": ("ministry",), "association": ("association",),
                "alliance": ("alliance",), "commission": ("commission",), "council": ("council",),
                "bloc": ("Q458",), "party": ("party",), "coalition": ("coalition",), "firm": ("",),
                "organisation": ("",), "organization": ("",), "agency": ("agency",), "executive": ("",),
                "body": ("",), "carrier": ("",), "developer": ("",), "campaign": ("",), "committee": ("committee", "council")}
INSTITUTIONAL = ROLE_WORDS | GOV_NOUNS | set(ORG_ANAPHORA) | {
    "parliament", "lawmakers", "leaders", "members", "statement", "spokespeople", "team", "side", "office", "people",
    "bank", "board", "camp", "country", "state", "nation", "states", "countries", "governments", "campaigners"}
