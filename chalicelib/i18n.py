"""The one catalogue of texts people read, in their language: Turkish, English and Arabic
(others read English). Notifications (below) and the portal's pages (`chalicelib/web/texts.py`)
both draw from `MESSAGES`."""

from __future__ import annotations

from chalicelib.web.texts import PAGES

FALLBACK = "en"
LANGUAGES = ("tr", "en", "ar")
RIGHT_TO_LEFT = frozenset({"ar"})

MESSAGES: dict[str, dict[str, str]] = {
    # SMS are short (issue 11): who, when, where (a short name), the reference and the portal link;
    # the address, what to bring and the rules are in the email and on the portal. They are written
    # in proper spelling here and sent in GSM-7 spelling where that keeps them GSM-7
    # (chalicelib/domain/sms_text.py). A test holds each to its segment budget for every directorate.
    "sms.appointment_confirmed": {
        "tr": "{name}, randevunuz onaylandı: {when}, {directorate}. Referans: {reference}. {link}",
        "en": "{name}, your appointment is confirmed: {when}, {directorate}. Reference: {reference}. {link}",
        "ar": "{name}، موعدك مؤكد: {when}، {directorate}. المرجع: {reference}. {link}",
    },
    "email.appointment_confirmed.subject": {
        "tr": "Randevunuz onaylandı – {when} – {reference}",
        "en": "Your appointment is confirmed – {when} – {reference}",
        "ar": "تم تأكيد موعدك – {when} – {reference}",
    },
    "email.appointment_confirmed.body": {
        "tr": "Merhaba {name},\n\nRandevunuz onaylandı.\n\nTarih ve saat: {when} (İstanbul saati)\nYer: {directorate}\nAdres: {address}\nHizmet: {service}\nReferans kodu: {reference}\n\nYanınızda getirin: {bring}.\n\nOnaylanmış bir randevu iptal edilemez veya değiştirilemez ve 30 gün boyunca yeni randevu alınmasını engeller. Gelmezseniz 30 gün boyunca yeni randevu alamazsınız.\n\n{late}\n\nTakvim davetini ekte bulabilirsiniz.\n\nİl Göç İdaresi Müdürlüğü",
        "en": "Hello {name},\n\nYour appointment is confirmed.\n\nDate and time: {when} (Istanbul time)\nPlace: {directorate}\nAddress: {address}\nService: {service}\nReference: {reference}\n\nPlease bring: {bring}.\n\nA confirmed appointment cannot be cancelled or changed, and no new appointment can be booked for 30 days. If you do not come, you cannot book again for 30 days.\n\n{late}\n\nThe calendar invitation is attached.\n\nProvincial Directorate of Migration Management",
        "ar": "مرحباً {name}،\n\nتم تأكيد موعدك.\n\nالتاريخ والوقت: {when} (بتوقيت إسطنبول)\nالمكان: {directorate}\nالعنوان: {address}\nالخدمة: {service}\nالرقم المرجعي: {reference}\n\nيرجى إحضار: {bring}.\n\nلا يمكن إلغاء الموعد المؤكد أو تغييره، ولا يمكن حجز موعد جديد لمدة 30 يوماً. إذا لم تحضر فلن تتمكن من الحجز مجدداً لمدة 30 يوماً.\n\n{late}\n\nدعوة التقويم مرفقة.\n\nمديرية إدارة الهجرة في الولاية",
    },
    "sms.appointment_reminder": {
        "tr": "{name}, yarın {when} randevunuz var: {directorate}. Giriş kodu: {code}. Referans: {reference}. {link}",
        "en": "{name}, your appointment is tomorrow {when}, {directorate}. Check-in code: {code}. Reference: {reference}. {link}",
        "ar": "{name}، موعدك غداً {when}، {directorate}. الرمز {code}. {reference} {link}",
    },
    "email.appointment_reminder.subject": {
        "tr": "Hatırlatma: yarın {when} randevunuz – {reference}",
        "en": "Reminder: your appointment tomorrow, {when} – {reference}",
        "ar": "تذكير: موعدك غداً {when} – {reference}",
    },
    "email.appointment_reminder.body": {
        "tr": "Merhaba {name},\n\nRandevunuz yarın.\n\nTarih ve saat: {when} (İstanbul saati)\nYer: {directorate}\nAdres: {address}\nHizmet: {service}\nReferans kodu: {reference}\nGiriş kodu: {code}\n\nGiriş kodunu görevliye söyleyin. Yanınızda getirin: {bring}.\n\n{late}\n\nGelmezseniz 30 gün boyunca yeni randevu alamazsınız.\n\nİl Göç İdaresi Müdürlüğü",
        "en": "Hello {name},\n\nYour appointment is tomorrow.\n\nDate and time: {when} (Istanbul time)\nPlace: {directorate}\nAddress: {address}\nService: {service}\nReference: {reference}\nCheck-in code: {code}\n\nTell the check-in code to the officer. Please bring: {bring}.\n\n{late}\n\nIf you do not come, you cannot book again for 30 days.\n\nProvincial Directorate of Migration Management",
        "ar": "مرحباً {name}،\n\nموعدك غداً.\n\nالتاريخ والوقت: {when} (بتوقيت إسطنبول)\nالمكان: {directorate}\nالعنوان: {address}\nالخدمة: {service}\nالرقم المرجعي: {reference}\nرمز تسجيل الحضور: {code}\n\nأخبر الموظف برمز تسجيل الحضور. يرجى إحضار: {bring}.\n\n{late}\n\nإذا لم تحضر فلن تتمكن من الحجز مجدداً لمدة 30 يوماً.\n\nمديرية إدارة الهجرة في الولاية",
    },
    "appointment.late": {
        "tr": "Lütfen zamanında gelin: randevu saatinden {grace} dakikadan fazla sonra gelirseniz görüşmeniz reddedilebilir ve gelmemiş sayılırsınız.",
        "en": "Please arrive on time: if you come more than {grace} minutes after your appointment time, the visit can be refused and counted as a no-show.",
        "ar": "يرجى الحضور في الموعد: إذا وصلت بعد موعدك بأكثر من {grace} دقيقة، فقد يُرفض استقبالك ويُحتسب ذلك عدم حضور.",
    },
    "sms.appointment_cancelled": {
        "tr": "{name}, {when} randevunuz iptal edildi ({directorate}). Size öncelikle yeni randevu verilecek. Referans: {reference}. {link}",
        "en": "{name}, your appointment on {when} was cancelled by {directorate}. You will get a new one first. Reference: {reference}. {link}",
        "ar": "{name}، أُلغي موعدك {when}، {directorate}. سيُعطى لك موعد جديد بالأولوية. {reference} {link}",
    },
    "email.appointment_cancelled.subject": {
        "tr": "Randevunuz iptal edildi – {when} – {reference}",
        "en": "Your appointment was cancelled – {when} – {reference}",
        "ar": "أُلغي موعدك – {when} – {reference}",
    },
    "email.appointment_cancelled.body": {
        "tr": "Merhaba {name},\n\n{when} (İstanbul saati) tarihindeki randevunuz {directorate} tarafından iptal edildi.\nNeden: {reason}\nHizmet: {service}\nReferans kodu: {reference}\n\nBu iptal size bağlı değildir: bu randevunun başlattığı 30 günlük bekleme kaldırıldı. Size öncelikli olarak yeni bir randevu verilecek; ayrıntılar SMS ve e-posta ile gelecek. Bir şey yapmanıza gerek yok.\n\nİl Göç İdaresi Müdürlüğü",
        "en": "Hello {name},\n\nYour appointment on {when} (Istanbul time) was cancelled by {directorate}.\nReason: {reason}\nService: {service}\nReference: {reference}\n\nThis is not held against you: the 30-day wait this booking started is lifted. You will be given a new appointment before anyone else; its details will come by SMS and email. You do not need to do anything.\n\nProvincial Directorate of Migration Management",
        "ar": "مرحباً {name}،\n\nألغت {directorate} موعدك في {when} (بتوقيت إسطنبول).\nالسبب: {reason}\nالخدمة: {service}\nالرقم المرجعي: {reference}\n\nهذا الإلغاء لا يُحتسب عليك: رُفع الانتظار لمدة 30 يوماً الناتج عن هذا الموعد. سيُمنح لك موعد جديد قبل غيرك، وستصلك تفاصيله برسالة نصية وبالبريد الإلكتروني. لا تحتاج إلى فعل أي شيء.\n\nمديرية إدارة الهجرة في الولاية",
    },
    "bring.default": {
        "tr": "pasaportunuz veya yabancı kimlik kartınız, ikamet izni kartınız ve bu referans kodu",
        "en": "your passport or foreigner ID card, your permit card and this reference code",
        "ar": "جواز سفرك أو بطاقة هوية الأجانب، وبطاقة الإقامة أو الحماية، وهذا الرقم المرجعي",
    },
    "bring.address_registration": {
        "tr": "pasaportunuz veya yabancı kimlik kartınız, kira sözleşmesi veya tapu belgesi ve bu referans kodu",
        "en": "your passport or foreigner ID card, your rental contract or title deed, and this reference code",
        "ar": "جواز سفرك أو بطاقة هوية الأجانب، وعقد الإيجار أو سند الملكية، وهذا الرقم المرجعي",
    },
    "bring.passport_number_update": {
        "tr": "yeni ve eski pasaportunuz, yabancı kimlik kartınız ve bu referans kodu",
        "en": "your new and old passports, your foreigner ID card and this reference code",
        "ar": "جواز سفرك الجديد والقديم، وبطاقة هوية الأجانب، وهذا الرقم المرجعي",
    },
    "sms.verification_code": {
        "tr": "{name}, Göç İdaresi randevu doğrulama kodunuz: {code}. Kod {minutes} dakika geçerlidir. Kimseyle paylaşmayın.",
        "en": "{name}, your Migration Directorate appointments verification code: {code}. Valid for {minutes} minutes. Do not share it.",
        "ar": "{name}، رمز التحقق لمواعيد إدارة الهجرة: {code}. صالح {minutes} دقيقة. لا تشاركه مع أحد.",
    },
    "email.verification_code.subject": {
        "tr": "E-posta adresinizi doğrulayın – Göç İdaresi randevu",
        "en": "Confirm your email address – Migration Directorate appointments",
        "ar": "أكّد عنوان بريدك الإلكتروني – مواعيد إدارة الهجرة",
    },
    "email.verification_code.body": {
        "tr": "Merhaba {name},\n\nE-posta adresinizi doğrulama kodunuz: {code}\nKod {minutes} dakika geçerlidir. Kimseyle paylaşmayın.\n\nBu isteği siz yapmadıysanız bu e-postayı dikkate almayın.\n\nİl Göç İdaresi Müdürlüğü",
        "en": "Hello {name},\n\nYour code to confirm this email address: {code}\nIt is valid for {minutes} minutes. Do not share it.\n\nIf you did not ask for it, ignore this email.\n\nProvincial Directorate of Migration Management",
        "ar": "مرحباً {name}،\n\nرمز تأكيد عنوان بريدك الإلكتروني: {code}\nالرمز صالح لمدة {minutes} دقيقة. لا تشاركه مع أحد.\n\nإذا لم تطلب ذلك فتجاهل هذه الرسالة.\n\nمديرية إدارة الهجرة في الولاية",
    },
    "sms.password_reset_code": {
        "tr": "{name}, Göç İdaresi randevu parola sıfırlama kodunuz: {code}. Kod {minutes} dakika geçerlidir. Kimseyle paylaşmayın. Siz istemediyseniz dikkate almayın; parolanız değişmez.",
        "en": "{name}, your Migration Directorate appointments password reset code: {code}. Valid for {minutes} minutes. Do not share it. If you did not ask for it, ignore this; your password stays the same.",
        "ar": "{name}، رمز إعادة تعيين كلمة مرور مواعيد الهجرة: {code}. صالح {minutes} دقيقة. لا تشاركه. إن لم تطلبه فتجاهل الرسالة.",
    },
    # --- issue 12, corrections and giving a place back (services/corrections.py, giving_back.py) ---
    "sms.appointment_given_back": {
        "tr": "{name}, {when} randevunuzu ({directorate}) geri verdiniz. {until} tarihine kadar yeni randevu alamazsınız. {link}",
        "en": "{name}, you gave back your appointment on {when} ({directorate}). No new booking before {until}. {link}",
        "ar": "{name}، أعدت موعدك {when} ({directorate}). لا حجز جديد قبل {until}. {link}",
        "fa": "{name}، نوبت {when} ({directorate}) را پس دادید. تا {until} نوبت جدید ممکن نیست. {link}",
        "ru": "{name}, вы вернули запись на {when} ({directorate}). Новая запись не ранее {until}. {link}",
        "uk": "{name}, ви повернули запис на {when} ({directorate}). Новий запис не раніше {until}. {link}",
    },
    "email.appointment_given_back.subject": {
        "tr": "Randevunuzu geri verdiniz – {when} – {reference}",
        "en": "You gave back your appointment – {when} – {reference}",
        "ar": "أعدت موعدك – {when} – {reference}",
        "fa": "نوبت خود را پس دادید – {when} – {reference}",
        "ru": "Вы вернули свою запись – {when} – {reference}",
        "uk": "Ви повернули свій запис – {when} – {reference}",
    },
    "email.appointment_given_back.body": {
        "tr": "Merhaba {name},\n\n{when} (İstanbul saati) tarihindeki randevunuzu geri verdiniz.\nYer: {directorate}\nHizmet: {service}\nReferans kodu: {reference}\n\nBu, randevuya gelmemek sayılmaz. Ancak 30 günlük bekleme sürer: {until} (İstanbul saati) tarihine kadar yeni randevu alamazsınız. Yeriniz bir süre sonra başkalarına açılacak.\n\nİl Göç İdaresi Müdürlüğü",
        "en": "Hello {name},\n\nYou gave back your appointment on {when} (Istanbul time).\nPlace: {directorate}\nService: {service}\nReference: {reference}\n\nThis does not count as a missed appointment. The 30-day wait stays, though: you cannot book again before {until} (Istanbul time). Your place will be offered to others after a while.\n\nProvincial Directorate of Migration Management",
        "ar": "مرحباً {name}،\n\nأعدت موعدك في {when} (بتوقيت إسطنبول).\nالمكان: {directorate}\nالخدمة: {service}\nالرقم المرجعي: {reference}\n\nلا يُحتسب هذا عدم حضور. لكن الانتظار لمدة 30 يوماً يبقى: لا يمكنك الحجز مجدداً قبل {until} (بتوقيت إسطنبول). سيُعرض مكانك على غيرك بعد مدة.\n\nمديرية إدارة الهجرة في الولاية",
        "fa": "سلام {name}،\n\nنوبت خود در {when} (به وقت استانبول) را پس دادید.\nمکان: {directorate}\nخدمت: {service}\nکد پیگیری: {reference}\n\nاین غیبت به حساب نمی‌آید. اما انتظار ۳۰ روزه باقی می‌ماند: پیش از {until} (به وقت استانبول) نمی‌توانید دوباره نوبت بگیرید. جای شما پس از مدتی به دیگران داده می‌شود.\n\nاداره مهاجرت استان",
        "ru": "Здравствуйте, {name}!\n\nВы вернули свою запись на {when} (по стамбульскому времени).\nМесто: {directorate}\nУслуга: {service}\nНомер записи: {reference}\n\nЭто не считается неявкой. Но 30-дневное ожидание сохраняется: новая запись возможна не ранее {until} (по стамбульскому времени). Ваше место через некоторое время будет предложено другим.\n\nПровинциальное управление миграционной службы",
        "uk": "Вітаємо, {name}!\n\nВи повернули свій запис на {when} (за стамбульським часом).\nМісце: {directorate}\nПослуга: {service}\nНомер запису: {reference}\n\nЦе не вважається неявкою. Але 30-денне очікування залишається: новий запис можливий не раніше {until} (за стамбульським часом). Ваше місце згодом буде запропоновано іншим.\n\nПровінційне управління міграційної служби",
    },
    "sms.appointment_follow_up": {
        "tr": "{name}, size ek randevu verildi: {when}, {directorate}. Yeni 30 günlük bekleme başlamaz. Referans: {reference}. {link}",
        "en": "{name}, a follow-up visit was booked for you: {when}, {directorate}. No new 30-day wait. Reference: {reference}. {link}",
        "ar": "{name}، حُجزت لك زيارة متابعة: {when}، {directorate}. دون انتظار جديد. {reference} {link}",
        "fa": "{name}، نوبت پیگیری برای شما: {when}، {directorate}. بدون انتظار جدید. {reference} {link}",
        "ru": "{name}, вам назначен повторный визит: {when}, {directorate}. Без нового ожидания. {reference} {link}",
        "uk": "{name}, вам призначено повторний візит: {when}, {directorate}. Без нового очікування. {reference} {link}",
    },
    "email.appointment_follow_up.subject": {
        "tr": "Ek randevunuz – {when} – {reference}",
        "en": "Your follow-up visit – {when} – {reference}",
        "ar": "زيارة المتابعة الخاصة بك – {when} – {reference}",
        "fa": "نوبت پیگیری شما – {when} – {reference}",
        "ru": "Ваш повторный визит – {when} – {reference}",
        "uk": "Ваш повторний візит – {when} – {reference}",
    },
    "email.appointment_follow_up.body": {
        "tr": "Merhaba {name},\n\nMüdürlük, aynı işleminiz için size bir ek randevu verdi.\n\nTarih ve saat: {when} (İstanbul saati)\nYer: {directorate}\nAdres: {address}\nHizmet: {service}\nReferans kodu: {reference}\n\nYanınızda getirin: {bring}.\n\nBu ek randevu yeni bir 30 günlük bekleme başlatmaz.\n\n{late}\n\nTakvim davetini ekte bulabilirsiniz.\n\nİl Göç İdaresi Müdürlüğü",
        "en": "Hello {name},\n\nThe directorate has given you a follow-up visit for the same matter.\n\nDate and time: {when} (Istanbul time)\nPlace: {directorate}\nAddress: {address}\nService: {service}\nReference: {reference}\n\nPlease bring: {bring}.\n\nThis follow-up visit does not start a new 30-day wait.\n\n{late}\n\nThe calendar invitation is attached.\n\nProvincial Directorate of Migration Management",
        "ar": "مرحباً {name}،\n\nمنحتك المديرية زيارة متابعة للمعاملة نفسها.\n\nالتاريخ والوقت: {when} (بتوقيت إسطنبول)\nالمكان: {directorate}\nالعنوان: {address}\nالخدمة: {service}\nالرقم المرجعي: {reference}\n\nيرجى إحضار: {bring}.\n\nلا تبدأ زيارة المتابعة هذه انتظاراً جديداً لمدة 30 يوماً.\n\n{late}\n\nدعوة التقويم مرفقة.\n\nمديرية إدارة الهجرة في الولاية",
        "fa": "سلام {name}،\n\nاداره برای همان پرونده به شما یک نوبت پیگیری داده است.\n\nتاریخ و ساعت: {when} (به وقت استانبول)\nمکان: {directorate}\nنشانی: {address}\nخدمت: {service}\nکد پیگیری: {reference}\n\nلطفاً همراه داشته باشید: {bring}.\n\nاین نوبت پیگیری انتظار ۳۰ روزه تازه‌ای را آغاز نمی‌کند.\n\n{late}\n\nدعوت‌نامه تقویم پیوست است.\n\nاداره مهاجرت استان",
        "ru": "Здравствуйте, {name}!\n\nУправление назначило вам повторный визит по тому же делу.\n\nДата и время: {when} (по стамбульскому времени)\nМесто: {directorate}\nАдрес: {address}\nУслуга: {service}\nНомер записи: {reference}\n\nВозьмите с собой: {bring}.\n\nЭтот повторный визит не начинает новое 30-дневное ожидание.\n\n{late}\n\nПриглашение в календарь во вложении.\n\nПровинциальное управление миграционной службы",
        "uk": "Вітаємо, {name}!\n\nУправління призначило вам повторний візит у тій самій справі.\n\nДата і час: {when} (за стамбульським часом)\nМісце: {directorate}\nАдреса: {address}\nПослуга: {service}\nНомер запису: {reference}\n\nВізьміть із собою: {bring}.\n\nЦей повторний візит не починає нового 30-денного очікування.\n\n{late}\n\nЗапрошення до календаря у вкладенні.\n\nПровінційне управління міграційної служби",
    },
}


MESSAGES.update(PAGES)


def text(key: str, language: str, **values: object) -> str:
    translations = MESSAGES[key]
    template = translations.get(language) or translations[FALLBACK]
    return template.format(**values)
