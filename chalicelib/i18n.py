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
        "tr": "Merhaba {name},\n\nRandevunuz onaylandı.\n\nTarih ve saat: {when} (İstanbul saati)\nYer: {directorate}\nAdres: {address}\nHizmet: {service}\nReferans kodu: {reference}\n\nYanınızda getirin:\n{bring}\n\nOnaylanmış bir randevu iptal edilemez veya değiştirilemez ve 30 gün boyunca yeni randevu alınmasını engeller. Gelmezseniz 30 gün boyunca yeni randevu alamazsınız.\n\n{late}\n\nTakvim davetini ekte bulabilirsiniz.\n\nİl Göç İdaresi Müdürlüğü",
        "en": "Hello {name},\n\nYour appointment is confirmed.\n\nDate and time: {when} (Istanbul time)\nPlace: {directorate}\nAddress: {address}\nService: {service}\nReference: {reference}\n\nPlease bring:\n{bring}\n\nA confirmed appointment cannot be cancelled or changed, and no new appointment can be booked for 30 days. If you do not come, you cannot book again for 30 days.\n\n{late}\n\nThe calendar invitation is attached.\n\nProvincial Directorate of Migration Management",
        "ar": "مرحباً {name}،\n\nتم تأكيد موعدك.\n\nالتاريخ والوقت: {when} (بتوقيت إسطنبول)\nالمكان: {directorate}\nالعنوان: {address}\nالخدمة: {service}\nالرقم المرجعي: {reference}\n\nيرجى إحضار:\n{bring}\n\nلا يمكن إلغاء الموعد المؤكد أو تغييره، ولا يمكن حجز موعد جديد لمدة 30 يوماً. إذا لم تحضر فلن تتمكن من الحجز مجدداً لمدة 30 يوماً.\n\n{late}\n\nدعوة التقويم مرفقة.\n\nمديرية إدارة الهجرة في الولاية",
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
        "tr": "Merhaba {name},\n\nRandevunuz yarın.\n\nTarih ve saat: {when} (İstanbul saati)\nYer: {directorate}\nAdres: {address}\nHizmet: {service}\nReferans kodu: {reference}\nGiriş kodu: {code}\n\nGiriş kodunu görevliye söyleyin.\n\nYanınızda getirin:\n{bring}\n\n{late}\n\nGelmezseniz 30 gün boyunca yeni randevu alamazsınız.\n\nİl Göç İdaresi Müdürlüğü",
        "en": "Hello {name},\n\nYour appointment is tomorrow.\n\nDate and time: {when} (Istanbul time)\nPlace: {directorate}\nAddress: {address}\nService: {service}\nReference: {reference}\nCheck-in code: {code}\n\nTell the check-in code to the officer.\n\nPlease bring:\n{bring}\n\n{late}\n\nIf you do not come, you cannot book again for 30 days.\n\nProvincial Directorate of Migration Management",
        "ar": "مرحباً {name}،\n\nموعدك غداً.\n\nالتاريخ والوقت: {when} (بتوقيت إسطنبول)\nالمكان: {directorate}\nالعنوان: {address}\nالخدمة: {service}\nالرقم المرجعي: {reference}\nرمز تسجيل الحضور: {code}\n\nأخبر الموظف برمز تسجيل الحضور.\n\nيرجى إحضار:\n{bring}\n\n{late}\n\nإذا لم تحضر فلن تتمكن من الحجز مجدداً لمدة 30 يوماً.\n\nمديرية إدارة الهجرة في الولاية",
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
    # --- What to bring and the receipt (issue 12, item 10) -------------------------------------
    # One line per document; which documents each service needs is in chalicelib/domain/documents.py.
    "document.identity": {
        "tr": "Pasaportunuz veya yabancı kimlik kartınız (aslı)",
        "en": "Your passport or foreigner ID card (the original)",
        "ar": "جواز سفرك أو بطاقة هوية الأجانب (الأصل)",
        "fa": "گذرنامه یا کارت شناسایی اتباع خارجی شما (اصل مدرک)",
        "ru": "Ваш паспорт или удостоверение личности иностранца (оригинал)",
        "uk": "Ваш паспорт або посвідчення особи іноземця (оригінал)",
    },
    "document.permit_card": {
        "tr": "İkamet izni veya koruma kimlik kartınız",
        "en": "Your residence permit card or protection ID card",
        "ar": "بطاقة الإقامة أو بطاقة الحماية الخاصة بك",
        "fa": "کارت اقامت یا کارت حمایت شما",
        "ru": "Ваша карта вида на жительство или удостоверение о защите",
        "uk": "Ваша картка посвідки на проживання або посвідчення про захист",
    },
    "document.proof_of_address": {
        "tr": "Adres belgesi: kira sözleşmesi, tapu veya birlikte yaşadığınız kişiden noter onaylı taahhütname",
        "en": "Proof of address: a rental contract, a title deed, or a notarised letter from the person you live with",
        "ar": "إثبات العنوان: عقد إيجار أو سند ملكية أو تعهد موثّق لدى الكاتب العدل من الشخص الذي تسكن معه",
        "fa": "مدرک نشانی: قرارداد اجاره، سند مالکیت، یا تعهدنامهٔ محضری از کسی که با او زندگی می‌کنید",
        "ru": "Подтверждение адреса: договор аренды, свидетельство о собственности или нотариально заверенное письмо от человека, у которого вы живёте",
        "uk": "Підтвердження адреси: договір оренди, документ про право власності або нотаріально засвідчений лист від особи, з якою ви проживаєте",
    },
    "document.change_evidence": {
        "tr": "Değişikliği gösteren belge (ör. evlilik belgesi veya mahkeme kararı) ve noter onaylı Türkçe tercümesi",
        "en": "The document that shows the change (such as a marriage certificate or a court decision), with a notarised Turkish translation",
        "ar": "الوثيقة التي تثبت التغيير (مثل عقد الزواج أو قرار المحكمة) مع ترجمة تركية موثّقة لدى الكاتب العدل",
        "fa": "مدرکی که تغییر را نشان می‌دهد (مانند سند ازدواج یا حکم دادگاه) همراه با ترجمهٔ ترکی تأییدشده در دفتر اسناد رسمی",
        "ru": "Документ, подтверждающий изменение (например, свидетельство о браке или решение суда), с нотариально заверенным переводом на турецкий язык",
        "uk": "Документ, що підтверджує зміну (наприклад, свідоцтво про шлюб або рішення суду), з нотаріально засвідченим перекладом турецькою мовою",
    },
    "document.new_and_old_passport": {
        "tr": "Yeni ve eski pasaportunuz",
        "en": "Your new passport and your old passport",
        "ar": "جواز سفرك الجديد وجواز سفرك القديم",
        "fa": "گذرنامهٔ جدید و گذرنامهٔ قدیمی شما",
        "ru": "Ваш новый и старый паспорта",
        "uk": "Ваш новий і старий паспорти",
    },
    "document.application_document": {
        "tr": "Başvurunuzu gösteren belge (e-İkamet başvuru formu veya koruma kayıt belgesi)",
        "en": "The document of your application (the e-İkamet application form or your protection registration document)",
        "ar": "وثيقة طلبك (استمارة طلب e-İkamet أو وثيقة تسجيل الحماية)",
        "fa": "مدرک درخواست شما (فرم درخواست e-İkamet یا مدرک ثبت حمایت)",
        "ru": "Документ о вашем заявлении (анкета e-İkamet или документ о регистрации для защиты)",
        "uk": "Документ про вашу заяву (анкета e-İkamet або документ про реєстрацію для захисту)",
    },
    "document.application_form": {
        "tr": "e-İkamet'ten aldığınız, imzalı başvuru formu",
        "en": "The application form from e-İkamet, printed and signed",
        "ar": "استمارة الطلب من نظام e-İkamet، مطبوعة وموقّعة",
        "fa": "فرم درخواست از سامانهٔ e-İkamet، چاپ‌شده و امضاشده",
        "ru": "Анкета из системы e-İkamet, распечатанная и подписанная",
        "uk": "Анкета із системи e-İkamet, роздрукована й підписана",
    },
    "document.photos": {
        "tr": "Son 6 ay içinde çekilmiş 4 biyometrik fotoğraf",
        "en": "4 biometric photographs taken in the last 6 months",
        "ar": "4 صور بيومترية التُقطت خلال الأشهر الستة الأخيرة",
        "fa": "4 قطعه عکس بیومتریک که در 6 ماه گذشته گرفته شده باشد",
        "ru": "4 биометрические фотографии, сделанные за последние 6 месяцев",
        "uk": "4 біометричні фотографії, зроблені за останні 6 місяців",
    },
    "document.health_insurance": {
        "tr": "Geçerli sağlık sigortanızı gösteren belge",
        "en": "Proof of valid health insurance",
        "ar": "ما يثبت وجود تأمين صحي ساري المفعول",
        "fa": "مدرک بیمهٔ درمانی معتبر",
        "ru": "Подтверждение действующей медицинской страховки",
        "uk": "Підтвердження чинного медичного страхування",
    },
    "document.fee_receipts": {
        "tr": "Ödediğiniz kart ve harç bedellerinin makbuzları",
        "en": "Receipts of the card and permit fees you paid",
        "ar": "إيصالات رسوم البطاقة والتصريح التي دفعتها",
        "fa": "رسیدهای هزینهٔ کارت و عوارض اقامت که پرداخت کرده‌اید",
        "ru": "Квитанции об оплате карты и пошлины за разрешение",
        "uk": "Квитанції про оплату картки та збору за дозвіл",
    },
    "document.old_card": {
        "tr": "Varsa eski izin kartınız",
        "en": "Your old permit card, if you have one",
        "ar": "بطاقة التصريح القديمة إن وُجدت",
        "fa": "کارت اقامت قبلی شما، اگر دارید",
        "ru": "Ваша старая карта, если она есть",
        "uk": "Ваша стара картка, якщо вона є",
    },
    "document.protection_identity": {
        "tr": "Uluslararası koruma başvuru sahibi kimlik belgeniz ve varsa pasaportunuz veya başka bir kimlik belgeniz (hiç belgeniz yoksa da gelin)",
        "en": "Your international protection applicant ID document, and any passport or other identity document you have (come even if you have none)",
        "ar": "وثيقة هوية طالب الحماية الدولية، وأي جواز سفر أو وثيقة هوية أخرى لديك (تعال حتى لو لم تكن لديك أي وثيقة)",
        "fa": "مدرک شناسایی متقاضی حمایت بین‌المللی و هر گذرنامه یا مدرک شناسایی دیگری که دارید (اگر هیچ مدرکی ندارید هم بیایید)",
        "ru": "Удостоверение заявителя на международную защиту и любой паспорт или другой документ, удостоверяющий личность (приходите, даже если документов нет)",
        "uk": "Посвідчення заявника на міжнародний захист і будь-який паспорт чи інший документ, що посвідчує особу (приходьте, навіть якщо документів немає)",
    },
    "document.supporting_documents": {
        "tr": "Başvurunuzu destekleyen tüm belgeler",
        "en": "Any documents that support your application",
        "ar": "أي وثائق تدعم طلبك",
        "fa": "هر مدرکی که از درخواست شما پشتیبانی می‌کند",
        "ru": "Любые документы, подтверждающие ваше заявление",
        "uk": "Будь-які документи, що підтверджують вашу заяву",
    },
    "document.temporary_protection_card": {
        "tr": "Geçici koruma kimlik belgeniz ve varsa pasaportunuz",
        "en": "Your temporary protection ID card, and your passport if you have one",
        "ar": "بطاقة الحماية المؤقتة (الكيملك) وجواز سفرك إن وُجد",
        "fa": "کارت حمایت موقت شما و گذرنامه‌تان، اگر دارید",
        "ru": "Удостоверение о временной защите и паспорт, если он есть",
        "uk": "Посвідчення про тимчасовий захист і паспорт, якщо він є",
    },
    "document.receipt": {
        "tr": "Randevu belgeniz (PDF, basılı veya telefonunuzda) ya da referans kodunuz",
        "en": "Your appointment receipt (PDF, printed or on your phone) or your reference code",
        "ar": "إيصال موعدك (PDF، مطبوعاً أو على هاتفك) أو رقمك المرجعي",
        "fa": "رسید نوبت شما (PDF، چاپی یا روی تلفن) یا کد مرجع شما",
        "ru": "Квитанция о записи (PDF, распечатанная или в телефоне) или ваш номер записи",
        "uk": "Квитанція про запис (PDF, роздрукована або в телефоні) або ваш номер запису",
    },
    # The PDF receipt's fixed texts (chalicelib/domain/receipt_pdf.py).
    "receipt.title": {
        "tr": "Randevu belgesi",
        "en": "Appointment receipt",
        "ar": "إيصال الموعد",
        "fa": "رسید نوبت",
        "ru": "Квитанция о записи на приём",
        "uk": "Квитанція про запис на прийом",
    },
    "receipt.name": {"tr": "Ad soyad", "en": "Name", "ar": "الاسم", "fa": "نام", "ru": "Имя и фамилия", "uk": "Ім'я та прізвище"},
    "receipt.document": {
        "tr": "Belge numarası", "en": "Document number", "ar": "رقم الوثيقة", "fa": "شمارهٔ مدرک", "ru": "Номер документа", "uk": "Номер документа",
    },
    "receipt.when": {
        "tr": "Tarih ve saat (İstanbul saati)",
        "en": "Date and time (Istanbul time)",
        "ar": "التاريخ والوقت (بتوقيت إسطنبول)",
        "fa": "تاریخ و ساعت (به وقت استانبول)",
        "ru": "Дата и время (по стамбульскому времени)",
        "uk": "Дата й час (за стамбульським часом)",
    },
    "receipt.place": {"tr": "Yer", "en": "Place", "ar": "المكان", "fa": "محل", "ru": "Место", "uk": "Місце"},
    "receipt.address": {"tr": "Adres", "en": "Address", "ar": "العنوان", "fa": "نشانی", "ru": "Адрес", "uk": "Адреса"},
    "receipt.service": {"tr": "Hizmet", "en": "Service", "ar": "الخدمة", "fa": "خدمت", "ru": "Услуга", "uk": "Послуга"},
    "receipt.reference": {
        "tr": "Referans kodu", "en": "Reference", "ar": "الرقم المرجعي", "fa": "کد مرجع", "ru": "Номер записи", "uk": "Номер запису",
    },
    "receipt.bring": {
        "tr": "Yanınızda getirin", "en": "Please bring", "ar": "يرجى إحضار", "fa": "همراه داشته باشید", "ru": "Возьмите с собой", "uk": "Візьміть із собою",
    },
    "receipt.qr": {
        "tr": "Girişte görevli bu kodu okutarak belgenin gerçek olduğunu kontrol eder ve kimlik belgenizle karşılaştırır.",
        "en": "At the entrance, staff scan this code to check that the receipt is genuine and compare it with your identity document.",
        "ar": "عند المدخل يمسح الموظف هذا الرمز للتحقق من صحة الإيصال ويقارنه بوثيقة هويتك.",
        "fa": "در ورودی، کارمند این کد را اسکن می‌کند تا اصالت رسید را بررسی کند و آن را با مدرک شناسایی شما مقایسه می‌کند.",
        "ru": "На входе сотрудник сканирует этот код, чтобы проверить подлинность квитанции, и сверяет её с вашим документом.",
        "uk": "На вході працівник сканує цей код, щоб перевірити справжність квитанції, і звіряє її з вашим документом.",
    },
}


MESSAGES.update(PAGES)


def text(key: str, language: str, **values: object) -> str:
    translations = MESSAGES[key]
    template = translations.get(language) or translations[FALLBACK]
    return template.format(**values)
