"""Whether what a person typed at sign-up is who the residents registry says they are.

Names are compared the way a clerk reads a Turkish residence card: case does not matter, with
Turkish rules (İ/i and I/ı are the same letter's two cases), nor do accents (Ş/S, Ğ/G, Ç/C, Ö/O,
Ü/U, ı/i: a keyboard without Turkish letters still matches), nor spaces, hyphens, apostrophes
or dots between the parts of a name ("Al-Hassan", "Al Hassan", "AlHassan"). Birth date and
nationality must be equal. Pure, no I/O.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Turkish case pairs that Unicode's default lowering gets wrong: İ→i (not i + combining dot), I→ı.
_TURKISH_LOWER = str.maketrans({"İ": "i", "I": "ı"})
# Letters that are "the same letter without its accent" but do not decompose in Unicode.
_UNACCENTED = str.maketrans({"ı": "i", "ə": "e", "ø": "o", "đ": "d", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe"})


def folded(name: str) -> str:
    """The form two spellings of one name share (see the module docstring)."""
    lowered = unicodedata.normalize("NFC", name).translate(_TURKISH_LOWER).lower().translate(_UNACCENTED)
    bare = "".join(c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c))
    return "".join(c for c in bare if c.isalnum())


@dataclass(frozen=True)
class PersonalDetails:
    """Who someone is, as typed at sign-up or as the registry holds it."""

    given_name: str
    family_name: str
    birth_date: str  # YYYY-MM-DD
    nationality: str  # ISO 3166-1 alpha-3


def same_person(typed: PersonalDetails, registered: PersonalDetails) -> bool:
    """Every detail matches. Each comparison is made whatever the others gave, so the time it
    takes says nothing about which detail differed."""
    results = (
        folded(typed.given_name) == folded(registered.given_name),
        folded(typed.family_name) == folded(registered.family_name),
        typed.birth_date == registered.birth_date,
        typed.nationality == registered.nationality,
    )
    return all(results)


# What a sign-up is compared with when the registry has no record for the document: the same
# work is done on every path, so a refusal's timing does not tell "unknown" from "mismatch".
NOBODY = PersonalDetails("\u2205", "\u2205", "0000-00-00", "\u2205")
