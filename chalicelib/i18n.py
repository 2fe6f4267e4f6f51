"""Texts sent to people, in their language: Turkish, English and Arabic; others read English."""

from __future__ import annotations

FALLBACK = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "sms.verification_code": {
        "tr": "Göç İdaresi randevu sistemi doğrulama kodunuz: {code}. Kod {minutes} dakika geçerlidir. Kimseyle paylaşmayın.",
        "en": "Your Migration Directorate appointments verification code: {code}. Valid for {minutes} minutes. Do not share it.",
        "ar": "رمز التحقق الخاص بنظام مواعيد إدارة الهجرة: {code}. صالح لمدة {minutes} دقيقة. لا تشاركه مع أحد.",
    },
}


def text(key: str, language: str, **values: object) -> str:
    translations = MESSAGES[key]
    template = translations.get(language) or translations[FALLBACK]
    return template.format(**values)
