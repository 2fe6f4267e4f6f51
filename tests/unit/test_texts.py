"""The one catalogue of texts: every key in Turkish, English and Arabic, with the same
placeholders in each, and every error code of the API's table explained to people."""

from __future__ import annotations

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
