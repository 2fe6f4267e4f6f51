"""What a valid identity looks like: documents, nationality, names, contact details, passwords.

Pure functions, no I/O. Each `normalize_*` returns the canonical form or raises ValueError with
a sentence a person can act on; the pydantic request models call them, so the same rule serves
the API, the OpenAPI document and (later) the portal. The validation libraries are imported on
first use: most requests never validate a phone number, and a cold start should not pay for it.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import date


class DocumentType(str, enum.Enum):
    FOREIGN_ID = "foreign_id"  # "yabancı kimlik numarası": 11 digits, starts with 99
    PASSPORT = "passport"


_PASSPORT = re.compile(r"^[A-Z0-9]{6,20}$")
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")
MAX_NAME_LENGTH = 64
MAX_AGE_YEARS = 120


def canonical_document_number(raw: str) -> str:
    """A document number as stored and looked up: no spaces or hyphens, upper case."""
    return re.sub(r"[\s-]", "", raw).upper()


def _plain_characters(raw: str) -> str:
    """Document numbers are printed in ASCII: look-alike digits (Arabic-Indic ٩٩, full-width ９９)
    and invisible characters would make one number two, so they are refused, not converted."""
    if not raw.isascii():
        raise ValueError("use only the Latin letters A-Z and the digits 0-9")
    return raw


def normalize_registry_document_number(raw: str) -> str:
    """Any document number the registry carries (a foreigner ID or a passport): 6 to 20 letters
    and digits once spaces and hyphens are gone."""
    number = canonical_document_number(_plain_characters(raw))
    if not _PASSPORT.match(number):
        raise ValueError("a document number has 6 to 20 letters and digits")
    return number


def looks_like_foreign_id(number: str) -> bool:
    """A foreigner ID number's shape: 11 digits starting with 99 (check digits aside)."""
    return number.isdigit() and len(number) == 11 and number.startswith("99")


def document_type_of(number: str) -> DocumentType:
    """What a registry key is: a foreigner ID, or a newcomer's passport number."""
    return DocumentType.FOREIGN_ID if looks_like_foreign_id(number) else DocumentType.PASSPORT


def normalize_document_number(document_type: DocumentType, raw: str) -> str:
    number = canonical_document_number(_plain_characters(raw))
    if document_type is DocumentType.FOREIGN_ID:
        if not looks_like_foreign_id(number):
            raise ValueError("a foreigner ID number has 11 digits and starts with 99")
        from stdnum.tr import tckimlik

        if not tckimlik.is_valid(number):
            raise ValueError("this foreigner ID number is not valid (its check digits do not match)")
        return number
    if not _PASSPORT.match(number):
        raise ValueError("a passport number has 6 to 20 letters and digits")
    return number


def normalize_nationality(raw: str) -> str:
    """ISO 3166-1 alpha-2 or alpha-3 in, alpha-3 out (as printed in a passport's MRZ)."""
    import pycountry

    code = raw.strip().upper()
    country = None
    if len(code) == 2:
        country = pycountry.countries.get(alpha_2=code)
    elif len(code) == 3:
        country = pycountry.countries.get(alpha_3=code)
    if country is None:
        raise ValueError("use an ISO 3166 country code, such as SY or SYR")
    if country.alpha_3 == "TUR":
        raise ValueError("this service is for foreign nationals; Turkish citizens use e-Devlet")
    return country.alpha_3


def normalize_name(raw: str) -> str:
    """A name in one script (Latin as on a residence card, or another), letters joined by single
    spaces, hyphens, apostrophes or dots. Invisible characters (zero-width, direction controls)
    and letters of two scripts in one name (a Cyrillic "а" among Latin letters) are refused: they
    make two names that look the same differ."""
    if any(unicodedata.category(c) in ("Cf", "Cc", "Co", "Cs") for c in raw):
        raise ValueError("the name contains invisible or text-direction control characters; type it again")
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name or len(name) > MAX_NAME_LENGTH or not _NAME.match(name):
        raise ValueError(f"use 1 to {MAX_NAME_LENGTH} letters; spaces, hyphens and apostrophes may join them")
    if len({_script(c) for c in name if c.isalpha()}) > 1:
        raise ValueError("write the whole name in one alphabet, as on your residence permit")
    return name


def _script(letter: str) -> str:
    """A letter's script, from its Unicode name ("LATIN SMALL LETTER S WITH CEDILLA" → LATIN)."""
    return unicodedata.name(letter, "UNKNOWN").split(" ")[0]


def check_birth_date(born: date, today: date) -> date:
    if born > today:
        raise ValueError("the birth date is in the future")
    if today.year - born.year > MAX_AGE_YEARS:
        raise ValueError(f"the birth date is more than {MAX_AGE_YEARS} years ago")
    return born


def normalize_email(raw: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None


def normalize_turkish_mobile(raw: str) -> str:
    """A Turkish mobile number in any common spelling in, E.164 out (+905XXXXXXXXX)."""
    import phonenumbers

    try:
        number = phonenumbers.parse(raw, "TR")
    except phonenumbers.NumberParseException:
        raise ValueError("write a Turkish mobile number, such as 0532 123 45 67") from None
    if (
        phonenumbers.region_code_for_number(number) != "TR"
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise ValueError("write a Turkish mobile number, such as 0532 123 45 67")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_language(raw: str) -> str:
    import pycountry

    code = raw.strip().lower()
    if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
        raise ValueError("use a two-letter ISO 639-1 language code, such as tr, en or ar")
    return code


@dataclass(frozen=True)
class PasswordPolicy:
    """One policy, enforced here for a clear message and by Cognito (same numbers)."""

    min_length: int = 10
    max_length: int = 128
    require_lowercase: bool = True
    require_uppercase: bool = True
    require_digits: bool = True
    require_symbols: bool = False

    def check(self, password: str) -> str:
        problems = []
        if not self.min_length <= len(password) <= self.max_length:
            problems.append(f"{self.min_length} to {self.max_length} characters")
        if self.require_lowercase and not re.search(r"[a-z]", password):
            problems.append("a lowercase letter")
        if self.require_uppercase and not re.search(r"[A-Z]", password):
            problems.append("an uppercase letter")
        if self.require_digits and not re.search(r"[0-9]", password):
            problems.append("a digit")
        if password != password.strip():
            problems.append("no spaces at the start or end")
        if problems:
            raise ValueError("the password needs " + ", ".join(problems))
        return password


PASSWORD_POLICY = PasswordPolicy()


#: How many of a document number's last characters a printed receipt or the door check shows.
DOCUMENT_VISIBLE_CHARACTERS = 4
DOCUMENT_MASK = "***"  # as the log formatter masks (chalicelib/observability.py): no length shown


def mask_document_number(number: str) -> str:
    """A document number as a receipt shows it: the mask and the last four characters
    ("***8764"), enough for staff to compare with the document in front of them, too little to
    be of use to anyone who finds the receipt. The length is not shown either."""
    return DOCUMENT_MASK + number[-DOCUMENT_VISIBLE_CHARACTERS:]
