"""What an SMS may hold, and what it costs. Pure: text in, text (or a count) out.

An SMS travels in the GSM 03.38 default alphabet (GSM-7: 160 characters in one segment, 153 in
each part of a longer one; `€ [ ] { } | ^ ~ \\` and a few more come from the extension table and
take two) — unless one character of the whole message is outside it: then the message goes as
UCS-2 (70 in one segment, 67 per part). GSM-7 has Ç, Ö, Ü, ö, ü, but no ç, ı, İ, ş, Ş, ğ, Ğ
(stack-notes 17), so one Turkish letter in a directorate or a person's name would triple the cost
of an otherwise English message. SNS does not let us choose the Turkish national shift table.

The rule, in one place (`for_sms`): an SMS body is written in proper Turkish/English/Arabic in the
text catalogue; before sending, its Turkish letters are spelled as GSM-7 Turkish SMS have long
spelled them (ı→i, İ→I, ş→s, Ş→S, ğ→g, Ğ→G, ç→c; Ç stays, it is in GSM-7), typographic
punctuation becomes its ASCII twin (– — → -, ’ → ', “ ” → ", … → ...), and other Latin letters
with accents outside GSM-7 lose the accent (â→a, ă→a, ș→s). If the result is all GSM-7 it is sent;
if not (Arabic text, or a name in Cyrillic or Arabic letters), nothing would be saved, so the
message goes unchanged, correctly spelled, as UCS-2. Only SMS are transliterated: the email and
the portal keep every letter.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

GSM_CODEC = "gsm03.38"
GSM7, UCS2 = "GSM-7", "UCS-2"
# (characters in a single-segment message, characters per part of a longer one), per encoding;
# GSM-7 counts septets (an extension-table character takes two), UCS-2 counts UTF-16 units.
SEGMENT_SIZES = {GSM7: (160, 153), UCS2: (70, 67)}
# An SMS calls the person by their given name, shortened to this many characters at a word
# boundary (families share phones: "Mehmet Ali" and "Mehmet Emin" stay apart; a registry name
# of 64 characters does not cost a segment).
NAME_MAX = 20

# Turkish letters missing from GSM-7, and punctuation that has an ASCII twin. Ç, Ö, Ü, ö, ü are
# in GSM-7 and stay. Capital İ becomes I (not "İ" → "I" + combining dot, as NFKD would give).
_SPELLING = {
    "ı": "i", "İ": "I", "ş": "s", "Ş": "S", "ğ": "g", "Ğ": "G", "ç": "c",
    "–": "-", "—": "-", "‐": "-", "‑": "-", "‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"',
    "…": "...", "\u00a0": " ", "\u202f": " ",
}


@lru_cache(maxsize=512)
def _septets(character: str) -> int | None:
    """How many septets a character takes in GSM-7 (1, or 2 from the extension table); None if
    it is not in the alphabet."""
    try:
        return len(character.encode(GSM_CODEC))
    except UnicodeError:
        return None


def is_gsm7(text: str) -> bool:
    return all(_septets(c) is not None for c in text)


def encoding(text: str) -> str:
    """How the message travels: GSM-7 if every character is in the default alphabet (with its
    extension table), else UCS-2."""
    return GSM7 if is_gsm7(text) else UCS2


def gsm_spelling(text: str) -> str:
    """The text with every character outside GSM-7 replaced by its usual GSM-7 spelling where
    there is one; characters without one (Arabic, Cyrillic…) are left as they are."""
    out = []
    for character in text:
        if _septets(character) is not None:
            out.append(character)
        elif character in _SPELLING:
            out.append(_SPELLING[character])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", character) if not unicodedata.combining(c))
            out.append(base if base and is_gsm7(base) else character)
    return "".join(out)


def for_sms(text: str) -> str:
    """The body to send: the GSM-7 spelling if that makes the whole message GSM-7, otherwise
    the text unchanged (it is UCS-2 either way, and UCS-2 spells every letter right)."""
    spelled = gsm_spelling(text)
    return spelled if is_gsm7(spelled) else text


def first_name(given_name: str) -> str:
    """How an SMS addresses the person: their given name, whole words up to `NAME_MAX`
    characters ("Mehmet Ali"); a first word longer than that is cut."""
    words = given_name.split()
    if not words:
        return ""
    name = words[0][:NAME_MAX]
    for word in words[1:]:
        if len(name) + 1 + len(word) > NAME_MAX:
            break
        name = f"{name} {word}"
    return name


def segments(text: str) -> int:
    """How many SMS segments the message costs (what the operator bills): one if it fits a
    single segment, else as many parts as it takes; an extension-table character (GSM-7) or a
    surrogate pair (UCS-2) is never split across two parts."""
    kind = encoding(text)
    single, part = SEGMENT_SIZES[kind]
    if kind == GSM7:
        sizes = [_septets(c) or 0 for c in text]
    else:
        sizes = [2 if ord(c) > 0xFFFF else 1 for c in text]
    if sum(sizes) <= single:
        return 1
    count, used = 1, 0
    for size in sizes:
        if used + size > part:
            count, used = count + 1, 0
        used += size
    return count
