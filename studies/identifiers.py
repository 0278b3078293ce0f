"""Identifiers the library's records carry for other systems: ORCID iDs, ROR ids, language tags.

Each is stored in one canonical form (what a curator pastes — a bare id, an address, other
capitals — is normalised first) and checked beyond its shape where the scheme has a checksum, so
that a mistyped digit is caught in the admin rather than published in every citation.
"""

import re

import langcodes

# ORCID iD: 16 characters in four groups, the last a check character (ISO 7064 MOD 11-2).
ORCID_PATTERN = r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$"
ORCID_URL = "https://orcid.org/"
# ROR id: “0”, six characters of Crockford's base 32 (no i, l, o, u), a two-digit checksum
# (ISO 7064 MOD 97-10); stored as the address ROR gives as the identifier.
ROR_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
ROR_URL = "https://ror.org/"
ROR_PATTERN = r"^https://ror\.org/0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}$"
# A BCP 47 tag that names a language: its primary subtag first (“en”, “pt-BR”, “es-419”).
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$"


# --- ORCID -------------------------------------------------------------------------------------
def normalise_orcid(value: str) -> str:
    """“https://orcid.org/0000-0002-1825-0097”, “0000000218250097 ” → “0000-0002-1825-0097”.

    Anything that is not 16 characters once the address and separators are gone comes back as
    typed, for the validator to refuse.
    """
    text = value.strip()
    bare = re.sub(r"^(https?://)?(www\.)?orcid\.org/", "", text, flags=re.IGNORECASE)
    compact = re.sub(r"[\s-]", "", bare).upper()
    if not re.fullmatch(r"[0-9]{15}[0-9X]", compact):
        return text
    return "-".join(compact[i : i + 4] for i in range(0, 16, 4))


def orcid_check_character(base_digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 15 digits of an ORCID iD."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def orcid_problem(orcid: str) -> str | None:
    """Why `orcid` (normalised) is not an ORCID iD, or None when it is one."""
    if not re.fullmatch(ORCID_PATTERN, orcid):
        return "Enter the ORCID iD as 16 digits in groups of four, e.g. 0000-0002-1825-0097."
    digits = orcid.replace("-", "")
    if orcid_check_character(digits[:15]) != digits[15]:
        return (
            "This ORCID iD fails its check digit: one of its digits is probably mistyped. "
            "Copy it from the person's ORCID record."
        )
    return None


# --- ROR ---------------------------------------------------------------------------------------
def normalise_ror(value: str) -> str:
    """“03yrm5c26”, “ror.org/03yrm5c26”, “HTTPS://ROR.ORG/03YRM5C26” → “https://ror.org/03yrm5c26”."""
    text = value.strip()
    bare = re.sub(r"^(https?://)?(www\.)?ror\.org/", "", text, flags=re.IGNORECASE).lower()
    if not re.fullmatch(r"[0-9a-z]{9}", bare):
        return text
    return ROR_URL + bare


def ror_checksum(base: str) -> str:
    """The two check digits (ISO 7064 MOD 97-10) of a ROR id's first seven characters."""
    number = 0
    for char in base:
        number = number * 32 + ROR_ALPHABET.index(char)
    return f"{98 - (number * 100) % 97:02d}"


def ror_problem(ror: str) -> str | None:
    """Why `ror` (normalised) is not a ROR id, or None when it is one."""
    if not re.fullmatch(ROR_PATTERN, ror):
        return (
            "Enter the organisation's ROR id, e.g. https://ror.org/03yrm5c26 (a 0, six letters "
            "or digits, then two digits)."
        )
    bare = ror.removeprefix(ROR_URL)
    if ror_checksum(bare[:7]) != bare[7:]:
        return (
            "This ROR id fails its check digits: a character is probably mistyped. Copy it from "
            "the organisation's ROR record."
        )
    return None


# --- Languages ---------------------------------------------------------------------------------
def normalise_language(value: str) -> str:
    """“EN-us” → “en-US”, “en_GB” → “en-GB” (BCP 47's own casing); unparseable text as typed."""
    text = value.strip()
    try:
        return langcodes.standardize_tag(text) if langcodes.tag_is_valid(text) else text
    except ValueError:
        return text


def language_problem(tag: str) -> str | None:
    """Why `tag` (normalised) is not a BCP 47 language tag naming a language, or None."""
    if not re.fullmatch(LANGUAGE_PATTERN, tag) or not langcodes.tag_is_valid(tag):
        return (
            "Enter the language as a BCP 47 code, e.g. “en” for English, “es” for Spanish, "
            "“pt-BR” for Brazilian Portuguese."
        )
    return None


# biblatex's `langid` takes babel/polyglossia language names, not codes; only the languages a
# study here may well be written in are listed (no `langid` is written for the others).
BABEL_LANGUAGES = {
    "ar": "arabic",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "hi": "hindi",
    "id": "indonesian",
    "it": "italian",
    "km": "khmer",
    "nl": "dutch",
    "pt": "portuguese",
    "ru": "russian",
    "sw": "swahili",
    "th": "thai",
    "zh": "chinese",
}


def babel_language(tag: str) -> str:
    """The babel name of the tag's language (“english” for “en-GB”), or "" when not listed."""
    return BABEL_LANGUAGES.get(tag.split("-")[0].lower(), "")
