"""The appointment SMS as they were before issue 11 (commit d53fb17): frozen bench data, so that
`bench.sms_bench` prints their cost beside today's in one run. Not used by the service.

They carried the full directorate name, its address, the service, what to bring and the rules (a
cancellation: its reason too), were sent as rendered (one Turkish letter made the whole message
UCS-2), and named no one.
"""

from __future__ import annotations

from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.notices import CANCELLED, CONFIRMED, REMINDER, AppointmentFacts

TEXTS: dict[str, dict[str, str]] = {
    "sms.appointment_confirmed": {
        "tr": 'Randevunuz onaylandı: {when}, {directorate}, {address}. Hizmet: {service}. Referans: {reference}. Yanınızda: {bring}. Randevu iptal edilemez veya değiştirilemez.',
        "en": 'Your appointment is confirmed: {when}, {directorate}, {address}. Service: {service}. Reference: {reference}. Bring: {bring}. It cannot be cancelled or changed.',
        "ar": 'تم تأكيد موعدك: {when}، {directorate}، {address}. الخدمة: {service}. الرقم المرجعي: {reference}. أحضر معك: {bring}. لا يمكن إلغاء الموعد أو تغييره.',
    },
    "sms.appointment_reminder": {
        "tr": 'Hatırlatma: yarın {when} randevunuz var, {directorate}, {address}. Giriş kodu: {code}. Referans: {reference}. Yanınızda: {bring}.',
        "en": 'Reminder: your appointment is tomorrow, {when}, {directorate}, {address}. Check-in code: {code}. Reference: {reference}. Bring: {bring}.',
        "ar": 'تذكير: موعدك غداً {when}، {directorate}، {address}. رمز تسجيل الحضور: {code}. الرقم المرجعي: {reference}. أحضر معك: {bring}.',
    },
    "sms.appointment_cancelled": {
        "tr": 'Randevunuz göç idaresi tarafından iptal edildi: {when}, {directorate}. Neden: {reason}. Size öncelikli olarak yeni bir randevu verilecek ve SMS ile bildirilecek. bu randevunun başlattığı 30 günlük bekleme kaldırıldı. Referans: {reference}.',
        "en": 'Your appointment was cancelled by the directorate: {when}, {directorate}. Reason: {reason}. You will be given a new appointment first, and told by SMS. The 30-day wait this booking started is lifted. Reference: {reference}.',
        "ar": 'ألغت المديرية موعدك: {when}، {directorate}. السبب: {reason}. سيُمنح لك موعد جديد بالأولوية وستُبلَّغ برسالة نصية. رُفع الانتظار لمدة 30 يوماً الناتج عن هذا الموعد. الرقم المرجعي: {reference}.',
    },
    "bring.default": {
        "tr": 'pasaportunuz veya yabancı kimlik kartınız, ikamet izni kartınız ve bu referans kodu',
        "en": 'your passport or foreigner ID card, your permit card and this reference code',
        "ar": 'جواز سفرك أو بطاقة هوية الأجانب، وبطاقة الإقامة أو الحماية، وهذا الرقم المرجعي',
    },
    "bring.address_registration": {
        "tr": 'pasaportunuz veya yabancı kimlik kartınız, kira sözleşmesi veya tapu belgesi ve bu referans kodu',
        "en": 'your passport or foreigner ID card, your rental contract or title deed, and this reference code',
        "ar": 'جواز سفرك أو بطاقة هوية الأجانب، وعقد الإيجار أو سند الملكية، وهذا الرقم المرجعي',
    },
    "bring.passport_number_update": {
        "tr": 'yeni ve eski pasaportunuz, yabancı kimlik kartınız ve bu referans kodu',
        "en": 'your new and old passports, your foreigner ID card and this reference code',
        "ar": 'جواز سفرك الجديد والقديم، وبطاقة هوية الأجانب، وهذا الرقم المرجعي',
    },
}


def sms(kind: str, facts: AppointmentFacts, code: str = "", reason: str = "") -> str:
    """The SMS as the service rendered it then."""
    language = facts.language if facts.language in ("tr", "en", "ar") else "en"
    bring = TEXTS.get(f"bring.{facts.service.code}", TEXTS["bring.default"])[language]
    return TEXTS[f"sms.{kind}"][language].format(
        when=f"{facts.start.astimezone(ISTANBUL):%d.%m.%Y %H:%M}",
        directorate=facts.directorate.name,
        address=facts.directorate.address,
        service=facts.service.name_in(language),
        reference=facts.reference,
        bring=bring,
        code=code,
        reason=reason,
    )


KINDS = (CONFIRMED, REMINDER, CANCELLED)
