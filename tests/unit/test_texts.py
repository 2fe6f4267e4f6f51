"""The one catalogue of texts: every key in Turkish, English, Arabic, Persian, Russian and
Ukrainian, with the same placeholders in each, each written in its own script (not an English copy),
and every error code of the API's table explained to people."""

from __future__ import annotations

import re
import string

import pytest

from chalicelib.api.errors import ERROR_TABLE
from chalicelib.i18n import LANGUAGES, MESSAGES


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_text_exists_in_every_language_with_the_same_placeholders(key):
    translations = MESSAGES[key]
    missing = [language for language in LANGUAGES if not translations.get(language, "").strip()]
    assert not missing, f"{key} lacks {missing}"
    fields = {language: {f for _, f, _, _ in string.Formatter().parse(translations[language]) if f} for language in LANGUAGES}
    assert len({frozenset(f) for f in fields.values()}) == 1, f"{key}: placeholders differ {fields}"


# What each language must be written in, and letters that betray a neighbour's spelling: Persian
# writes ی and ک (not Arabic ي, ك); Ukrainian has no ы, э, ъ, ё; Russian has no і, ї, є, ґ.
SCRIPTS = {"ar": r"[\u0600-\u06FF]", "fa": r"[\u0600-\u06FF]", "ru": r"[\u0400-\u04FF]", "uk": r"[\u0400-\u04FF]"}
FOREIGN_LETTERS = {"fa": "[يك]", "ru": "[іїєґІЇЄҐ]", "uk": "[ыэъёЫЭЪЁ]"}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_translation_is_written_in_its_own_script(key):
    translations = MESSAGES[key]
    if not re.search("[A-Za-z]", re.sub(r"\{[^}]*\}", "", translations["en"])):
        return  # nothing to translate (placeholders and signs only)
    wrong = [language for language, script in SCRIPTS.items() if not re.search(script, translations[language])]
    wrong += [language for language, letters in FOREIGN_LETTERS.items() if re.search(letters, translations[language])]
    assert not wrong, f"{key}: {wrong}"


def test_every_error_code_of_the_api_has_a_text_for_people():
    for _, code in ERROR_TABLE.values():
        assert f"error.{code}" in MESSAGES, code


def test_every_permit_status_and_demand_setting_has_a_name_for_people():
    from chalicelib.domain.catalogue import PermitStatus
    from chalicelib.domain.demand import Mode, Setting

    missing = [f"permit.{s.value}" for s in PermitStatus if f"permit.{s.value}" not in MESSAGES]
    missing += [f"admin.setting.{s.value}" for s in Setting if f"admin.setting.{s.value}" not in MESSAGES]
    missing += [f"admin.mode.{m.value}" for m in Mode if f"admin.mode.{m.value}" not in MESSAGES]
    assert missing == []
