"""The one catalogue of texts people read, in their language: Turkish, English, Arabic, Persian,
Russian and Ukrainian (others read English); Arabic and Persian are written right to left.
Notifications (below) and the portal's pages (`chalicelib/web/texts.py`) both draw from `MESSAGES`."""

from __future__ import annotations

from chalicelib.web.privacy_texts import PRIVACY
from chalicelib.web.texts import PAGES

FALLBACK = "en"
LANGUAGES = ("tr", "en", "ar", "fa", "ru", "uk")
RIGHT_TO_LEFT = frozenset({"ar", "fa"})

MESSAGES: dict[str, dict[str, str]] = {
    # SMS are short (issue 11): who, when, where (a short name), the reference and the portal link;
    # the address, what to bring and the rules are in the email and on the portal. They are written
    # in proper spelling here and sent in GSM-7 spelling where that keeps them GSM-7
    # (chalicelib/domain/sms_text.py). A test holds each to its segment budget for every directorate.
    "sms.appointment_confirmed": {
        "tr": "{name}, randevunuz onaylandı: {when}, {directorate}. Referans: {reference}. {link}",
        "en": "{name}, your appointment is confirmed: {when}, {directorate}. Reference: {reference}. {link}",
        "ar": "{name}، موعدك مؤكد: {when}، {directorate}. المرجع: {reference}. {link}",
        "fa": "{name}، نوبت شما تأیید شد: {when}، {directorate}. کد: {reference}. {link}",
        "ru": "{name}, вы записаны: {when}, {directorate}. Номер: {reference}. {link}",
        "uk": "{name}, вас записано: {when}, {directorate}. Номер: {reference}. {link}",
    },
    "email.appointment_confirmed.subject": {
        "tr": "Randevunuz onaylandı – {when} – {reference}",
        "en": "Your appointment is confirmed – {when} – {reference}",
        "ar": "تم تأكيد موعدك – {when} – {reference}",
        "fa": "نوبت شما تأیید شد – {when} – {reference}",
        "ru": "Ваша запись подтверждена – {when} – {reference}",
        "uk": "Ваш запис підтверджено – {when} – {reference}",
    },
    "email.appointment_confirmed.body": {
        "tr": "Merhaba {name},\n\nRandevunuz onaylandı.\n\nTarih ve saat: {when} (İstanbul saati)\nYer: {directorate}\nAdres: {address}\nHizmet: {service}\nReferans kodu: {reference}\n\nYanınızda getirin:\n{bring}\n\nOnaylanmış bir randevu iptal edilemez veya değiştirilemez ve 30 gün boyunca yeni randevu alınmasını engeller. Gelmezseniz 30 gün boyunca yeni randevu alamazsınız.\n\n{late}\n\nTakvim davetini ekte bulabilirsiniz.\n\nİl Göç İdaresi Müdürlüğü",
        "en": "Hello {name},\n\nYour appointment is confirmed.\n\nDate and time: {when} (Istanbul time)\nPlace: {directorate}\nAddress: {address}\nService: {service}\nReference: {reference}\n\nPlease bring:\n{bring}\n\nA confirmed appointment cannot be cancelled or changed, and no new appointment can be booked for 30 days. If you do not come, you cannot book again for 30 days.\n\n{late}\n\nThe calendar invitation is attached.\n\nProvincial Directorate of Migration Management",
        "ar": "مرحباً {name}،\n\nتم تأكيد موعدك.\n\nالتاريخ والوقت: {when} (بتوقيت إسطنبول)\nالمكان: {directorate}\nالعنوان: {address}\nالخدمة: {service}\nالرقم المرجعي: {reference}\n\nيرجى إحضار:\n{bring}\n\nلا يمكن إلغاء الموعد المؤكد أو تغييره، ولا يمكن حجز موعد جديد لمدة 30 يوماً. إذا لم تحضر فلن تتمكن من الحجز مجدداً لمدة 30 يوماً.\n\n{late}\n\nدعوة التقويم مرفقة.\n\nمديرية إدارة الهجرة في الولاية",
        "fa": "سلام {name}،\n\nنوبت شما تأیید شد.\n\nتاریخ و ساعت: {when} (به وقت استانبول)\nمکان: {directorate}\nنشانی: {address}\nخدمت: {service}\nکد پیگیری: {reference}\n\nلطفاً همراه داشته باشید:\n{bring}\n\nنوبت تأییدشده قابل لغو یا تغییر نیست و تا 30 روز نمی‌توان نوبت جدیدی گرفت. اگر نیایید، تا 30 روز نمی‌توانید دوباره نوبت بگیرید.\n\n{late}\n\nدعوت‌نامه تقویم پیوست است.\n\nاداره کل مهاجرت استان",
        "ru": "Здравствуйте, {name}!\n\nВаша запись подтверждена.\n\nДата и время: {when} (по стамбульскому времени)\nМесто: {directorate}\nАдрес: {address}\nУслуга: {service}\nНомер записи: {reference}\n\nВозьмите с собой:\n{bring}\n\nПодтверждённую запись нельзя отменить или изменить, и в течение 30 дней записаться снова нельзя. Если вы не придёте, вы не сможете записаться в течение 30 дней.\n\n{late}\n\nПриглашение в календарь во вложении.\n\nМиграционное управление провинции",
        "uk": "Вітаємо, {name}!\n\nВаш запис підтверджено.\n\nДата й час: {when} (за стамбульським часом)\nМісце: {directorate}\nАдреса: {address}\nПослуга: {service}\nНомер запису: {reference}\n\nВізьміть із собою:\n{bring}\n\nПідтверджений запис не можна скасувати чи змінити, і протягом 30 днів записатися знову не можна. Якщо ви не прийдете, ви не зможете записатися протягом 30 днів.\n\n{late}\n\nЗапрошення до календаря у вкладенні.\n\nМіграційне управління провінції",
    },
    "sms.appointment_reminder": {
        "tr": "{name}, yarın {when} randevunuz var: {directorate}. Giriş kodu: {code}. Referans: {reference}. {link}",
        "en": "{name}, your appointment is tomorrow {when}, {directorate}. Check-in code: {code}. Reference: {reference}. {link}",
        "ar": "{name}، موعدك غداً {when}، {directorate}. الرمز {code}. {reference} {link}",
        "fa": "{name}، نوبت فردا {when}، {directorate}. کد حضور {code}. {reference} {link}",
        "ru": "{name}, приём завтра {when}, {directorate}. Код {code}. {reference} {link}",
        "uk": "{name}, прийом завтра {when}, {directorate}. Код {code}. {reference} {link}",
    },
    "email.appointment_reminder.subject": {
        "tr": "Hatırlatma: yarın {when} randevunuz – {reference}",
        "en": "Reminder: your appointment tomorrow, {when} – {reference}",
        "ar": "تذكير: موعدك غداً {when} – {reference}",
        "fa": "یادآوری: نوبت شما فردا {when} – {reference}",
        "ru": "Напоминание: ваш приём завтра, {when} – {reference}",
        "uk": "Нагадування: ваш прийом завтра, {when} – {reference}",
    },
    "email.appointment_reminder.body": {
        "tr": "Merhaba {name},\n\nRandevunuz yarın.\n\nTarih ve saat: {when} (İstanbul saati)\nYer: {directorate}\nAdres: {address}\nHizmet: {service}\nReferans kodu: {reference}\nGiriş kodu: {code}\n\nGiriş kodunu görevliye söyleyin.\n\nYanınızda getirin:\n{bring}\n\n{late}\n\nGelmezseniz 30 gün boyunca yeni randevu alamazsınız.\n\nİl Göç İdaresi Müdürlüğü",
        "en": "Hello {name},\n\nYour appointment is tomorrow.\n\nDate and time: {when} (Istanbul time)\nPlace: {directorate}\nAddress: {address}\nService: {service}\nReference: {reference}\nCheck-in code: {code}\n\nTell the check-in code to the officer.\n\nPlease bring:\n{bring}\n\n{late}\n\nIf you do not come, you cannot book again for 30 days.\n\nProvincial Directorate of Migration Management",
        "ar": "مرحباً {name}،\n\nموعدك غداً.\n\nالتاريخ والوقت: {when} (بتوقيت إسطنبول)\nالمكان: {directorate}\nالعنوان: {address}\nالخدمة: {service}\nالرقم المرجعي: {reference}\nرمز تسجيل الحضور: {code}\n\nأخبر الموظف برمز تسجيل الحضور.\n\nيرجى إحضار:\n{bring}\n\n{late}\n\nإذا لم تحضر فلن تتمكن من الحجز مجدداً لمدة 30 يوماً.\n\nمديرية إدارة الهجرة في الولاية",
        "fa": "سلام {name}،\n\nنوبت شما فردا است.\n\nتاریخ و ساعت: {when} (به وقت استانبول)\nمکان: {directorate}\nنشانی: {address}\nخدمت: {service}\nکد پیگیری: {reference}\nکد حضور: {code}\n\nکد حضور را به کارمند بگویید. لطفاً همراه داشته باشید:\n{bring}\n\n{late}\n\nاگر نیایید، تا 30 روز نمی‌توانید دوباره نوبت بگیرید.\n\nاداره کل مهاجرت استان",
        "ru": "Здравствуйте, {name}!\n\nВаш приём завтра.\n\nДата и время: {when} (по стамбульскому времени)\nМесто: {directorate}\nАдрес: {address}\nУслуга: {service}\nНомер записи: {reference}\nКод регистрации: {code}\n\nНазовите код регистрации сотруднику. Возьмите с собой:\n{bring}\n\n{late}\n\nЕсли вы не придёте, вы не сможете записаться в течение 30 дней.\n\nМиграционное управление провинции",
        "uk": "Вітаємо, {name}!\n\nВаш прийом завтра.\n\nДата й час: {when} (за стамбульським часом)\nМісце: {directorate}\nАдреса: {address}\nПослуга: {service}\nНомер запису: {reference}\nКод реєстрації: {code}\n\nНазвіть код реєстрації працівникові. Візьміть із собою:\n{bring}\n\n{late}\n\nЯкщо ви не прийдете, ви не зможете записатися протягом 30 днів.\n\nМіграційне управління провінції",
    },
    "appointment.late": {
        "tr": "Lütfen zamanında gelin: randevu saatinden {grace} dakikadan fazla sonra gelirseniz görüşmeniz reddedilebilir ve gelmemiş sayılırsınız.",
        "en": "Please arrive on time: if you come more than {grace} minutes after your appointment time, the visit can be refused and counted as a no-show.",
        "ar": "يرجى الحضور في الموعد: إذا وصلت بعد موعدك بأكثر من {grace} دقيقة، فقد يُرفض استقبالك ويُحتسب ذلك عدم حضور.",
        "fa": "لطفاً به‌موقع بیایید: اگر بیش از {grace} دقیقه پس از ساعت نوبت خود برسید، ممکن است پذیرفته نشوید و غایب به حساب بیایید.",
        "ru": "Пожалуйста, приходите вовремя: если вы опоздаете более чем на {grace} минут, вас могут не принять и засчитать неявку.",
        "uk": "Будь ласка, приходьте вчасно: якщо ви запізнитеся більш ніж на {grace} хвилин, вас можуть не прийняти й зарахувати неявку.",
    },
    "sms.appointment_cancelled": {
        "tr": "{name}, {when} randevunuz iptal edildi ({directorate}). Size öncelikle yeni randevu verilecek. Referans: {reference}. {link}",
        "en": "{name}, your appointment on {when} was cancelled by {directorate}. You will get a new one first. Reference: {reference}. {link}",
        "ar": "{name}، أُلغي موعدك {when}، {directorate}. سيُعطى لك موعد جديد بالأولوية. {reference} {link}",
        "fa": "{name}، نوبت {when} را {directorate} لغو کرد. نوبت جدید با اولویت به شما داده می‌شود. {reference} {link}",
        "ru": "{name}, запись {when} отменена: {directorate}. Новую вы получите первыми. {reference} {link}",
        "uk": "{name}, запис {when} скасовано: {directorate}. Новий ви отримаєте першими. {reference} {link}",
    },
    "email.appointment_cancelled.subject": {
        "tr": "Randevunuz iptal edildi – {when} – {reference}",
        "en": "Your appointment was cancelled – {when} – {reference}",
        "ar": "أُلغي موعدك – {when} – {reference}",
        "fa": "نوبت شما لغو شد – {when} – {reference}",
        "ru": "Ваша запись отменена – {when} – {reference}",
        "uk": "Ваш запис скасовано – {when} – {reference}",
    },
    "email.appointment_cancelled.body": {
        "tr": "Merhaba {name},\n\n{when} (İstanbul saati) tarihindeki randevunuz {directorate} tarafından iptal edildi.\nNeden: {reason}\nHizmet: {service}\nReferans kodu: {reference}\n\nBu iptal size bağlı değildir: bu randevunun başlattığı 30 günlük bekleme kaldırıldı. Size öncelikli olarak yeni bir randevu verilecek; ayrıntılar SMS ve e-posta ile gelecek. Bir şey yapmanıza gerek yok.\n\nİl Göç İdaresi Müdürlüğü",
        "en": "Hello {name},\n\nYour appointment on {when} (Istanbul time) was cancelled by {directorate}.\nReason: {reason}\nService: {service}\nReference: {reference}\n\nThis is not held against you: the 30-day wait this booking started is lifted. You will be given a new appointment before anyone else; its details will come by SMS and email. You do not need to do anything.\n\nProvincial Directorate of Migration Management",
        "ar": "مرحباً {name}،\n\nألغت {directorate} موعدك في {when} (بتوقيت إسطنبول).\nالسبب: {reason}\nالخدمة: {service}\nالرقم المرجعي: {reference}\n\nهذا الإلغاء لا يُحتسب عليك: رُفع الانتظار لمدة 30 يوماً الناتج عن هذا الموعد. سيُمنح لك موعد جديد قبل غيرك، وستصلك تفاصيله برسالة نصية وبالبريد الإلكتروني. لا تحتاج إلى فعل أي شيء.\n\nمديرية إدارة الهجرة في الولاية",
        "fa": "سلام {name}،\n\nنوبت شما در {when} (به وقت استانبول) توسط {directorate} لغو شد.\nدلیل: {reason}\nخدمت: {service}\nکد پیگیری: {reference}\n\nاین لغو به حساب شما گذاشته نمی‌شود: انتظار 30 روزه‌ای که این نوبت آغاز کرده بود برداشته شد. پیش از دیگران به شما نوبت جدید داده می‌شود و جزئیات آن با پیامک و ایمیل می‌رسد. لازم نیست کاری بکنید.\n\nاداره کل مهاجرت استان",
        "ru": "Здравствуйте, {name}!\n\nВашу запись на {when} (по стамбульскому времени) отменило управление: {directorate}.\nПричина: {reason}\nУслуга: {service}\nНомер записи: {reference}\n\nЭто не ставится вам в вину: 30-дневное ожидание, начатое этой записью, снято. Вы получите новую запись раньше других; подробности придут по SMS и электронной почте. Ничего делать не нужно.\n\nМиграционное управление провинции",
        "uk": "Вітаємо, {name}!\n\nВаш запис на {when} (за стамбульським часом) скасувало управління: {directorate}.\nПричина: {reason}\nПослуга: {service}\nНомер запису: {reference}\n\nЦе не ставиться вам на карб: 30-денне очікування, розпочате цим записом, знято. Ви отримаєте новий запис раніше за інших; подробиці надійдуть в SMS та електронною поштою. Нічого робити не потрібно.\n\nМіграційне управління провінції",
    },
    "sms.verification_code": {
        "tr": "{name}, Göç İdaresi randevu doğrulama kodunuz: {code}. Kod {minutes} dakika geçerlidir. Kimseyle paylaşmayın.",
        "en": "{name}, your Migration Directorate appointments verification code: {code}. Valid for {minutes} minutes. Do not share it.",
        "ar": "{name}، رمز التحقق لمواعيد إدارة الهجرة: {code}. صالح {minutes} دقيقة. لا تشاركه مع أحد.",
        "fa": "{name}، کد تأیید نوبت‌دهی اداره مهاجرت: {code}. {minutes} دقیقه معتبر است. آن را به کسی ندهید.",
        "ru": "{name}, код подтверждения для записи в миграционную службу: {code}. Действует {minutes} мин. Никому его не сообщайте.",
        "uk": "{name}, код підтвердження для запису до міграційної служби: {code}. Дійсний {minutes} хв. Нікому його не повідомляйте.",
    },
    "email.verification_code.subject": {
        "tr": "E-posta adresinizi doğrulayın – Göç İdaresi randevu",
        "en": "Confirm your email address – Migration Directorate appointments",
        "ar": "أكّد عنوان بريدك الإلكتروني – مواعيد إدارة الهجرة",
        "fa": "نشانی ایمیل خود را تأیید کنید – نوبت‌دهی اداره مهاجرت",
        "ru": "Подтвердите адрес электронной почты – запись в миграционную службу",
        "uk": "Підтвердьте адресу електронної пошти – запис до міграційної служби",
    },
    "email.verification_code.body": {
        "tr": "Merhaba {name},\n\nE-posta adresinizi doğrulama kodunuz: {code}\nKod {minutes} dakika geçerlidir. Kimseyle paylaşmayın.\n\nBu isteği siz yapmadıysanız bu e-postayı dikkate almayın.\n\nİl Göç İdaresi Müdürlüğü",
        "en": "Hello {name},\n\nYour code to confirm this email address: {code}\nIt is valid for {minutes} minutes. Do not share it.\n\nIf you did not ask for it, ignore this email.\n\nProvincial Directorate of Migration Management",
        "ar": "مرحباً {name}،\n\nرمز تأكيد عنوان بريدك الإلكتروني: {code}\nالرمز صالح لمدة {minutes} دقيقة. لا تشاركه مع أحد.\n\nإذا لم تطلب ذلك فتجاهل هذه الرسالة.\n\nمديرية إدارة الهجرة في الولاية",
        "fa": "سلام {name}،\n\nکد تأیید این نشانی ایمیل: {code}\nاین کد {minutes} دقیقه اعتبار دارد. آن را به کسی ندهید.\n\nاگر آن را درخواست نکرده‌اید، این ایمیل را نادیده بگیرید.\n\nاداره کل مهاجرت استان",
        "ru": "Здравствуйте, {name}!\n\nКод для подтверждения этого адреса электронной почты: {code}\nОн действует {minutes} минут. Никому его не сообщайте.\n\nЕсли вы его не запрашивали, просто проигнорируйте это письмо.\n\nМиграционное управление провинции",
        "uk": "Вітаємо, {name}!\n\nКод для підтвердження цієї адреси електронної пошти: {code}\nВін дійсний {minutes} хвилин. Нікому його не повідомляйте.\n\nЯкщо ви його не запитували, просто проігноруйте цей лист.\n\nМіграційне управління провінції",
    },
    "sms.password_reset_code": {
        "tr": "{name}, Göç İdaresi randevu parola sıfırlama kodunuz: {code}. Kod {minutes} dakika geçerlidir. Kimseyle paylaşmayın. Siz istemediyseniz dikkate almayın; parolanız değişmez.",
        "en": "{name}, your Migration Directorate appointments password reset code: {code}. Valid for {minutes} minutes. Do not share it. If you did not ask for it, ignore this; your password stays the same.",
        "ar": "{name}، رمز إعادة تعيين كلمة مرور مواعيد الهجرة: {code}. صالح {minutes} دقيقة. لا تشاركه. إن لم تطلبه فتجاهل الرسالة.",
        "fa": "{name}، کد بازنشانی رمز نوبت‌دهی مهاجرت: {code}. {minutes} دقیقه معتبر است. به کسی ندهید. اگر نخواسته‌اید، نادیده بگیرید.",
        "ru": "{name}, код сброса пароля миграционной службы: {code}. Действует {minutes} мин. Никому не сообщайте. Не просили — игнорируйте.",
        "uk": "{name}, код скидання пароля міграційної служби: {code}. Дійсний {minutes} хв. Нікому не повідомляйте. Не просили — ігноруйте.",
    },
    # Families (issue 12): a message about a dependant goes to the guardian and says whom it concerns.
    "email.about_dependant": {
        "tr": "Bu mesaj, veli olarak randevu aldığınız {person} hakkındadır.",
        "en": "This message is about {person}, whom you booked for as their guardian.",
        "ar": "تتعلق هذه الرسالة بـ {person}، الذي حجزت له موعداً بصفتك وليّ أمره.",
        "fa": "این پیام درباره {person} است که شما به‌عنوان سرپرست برایش نوبت گرفته‌اید.",
        "ru": "Это сообщение касается записи для {person}, которую вы оформили как законный представитель.",
        "uk": "Це повідомлення стосується запису для {person}, який ви оформили як законний представник.",
    },
    # --- issue 12, item 8: a request the system withdrew, explained (SMS, email, the portal) -----
    "sms.request_withdrawn": {
        "tr": "{name}, randevu talebiniz geri çekildi: {reason} Ayrıntılar: {link}",
        "en": "{name}, your appointment request was withdrawn: {reason} Details: {link}",
        "ar": "{name}، سُحب طلب موعدك: {reason} التفاصيل: {link}",
        "fa": "{name}، درخواست نوبت شما لغو شد: {reason} جزئیات: {link}",
        "ru": "{name}, ваша заявка на приём отозвана: {reason} Подробнее: {link}",
        "uk": "{name}, вашу заявку на прийом відкликано: {reason} Докладніше: {link}",
    },
    "email.request_withdrawn.subject": {
        "tr": "Randevu talebiniz geri çekildi – {service}",
        "en": "Your appointment request was withdrawn – {service}",
        "ar": "سُحب طلب موعدك – {service}",
        "fa": "درخواست نوبت شما لغو شد – {service}",
        "ru": "Ваша заявка на приём отозвана – {service}",
        "uk": "Вашу заявку на прийом відкликано – {service}",
    },
    "email.request_withdrawn.body": {
        "tr": "Merhaba {name},\n\nRandevu talebiniz ({service}) sistem tarafından geri çekildi; size randevu verilmedi.\nNeden: {reason}\n\nBu size karşı sayılmaz: bu yüzden 30 günlük bir bekleme başlamaz. Durumunuz yeniden uygun olduğunda (örneğin yenilenmiş bir izinle ya da yeni ilinizdeki bir müdürlükte) portaldan yeniden talepte bulunabilirsiniz.\nTalebiniz: {link}\n\nİl Göç İdaresi Müdürlüğü",
        "en": "Hello {name},\n\nYour request for an appointment ({service}) was withdrawn by the system; no appointment was given to you.\nWhy: {reason}\n\nThis is not held against you: no 30-day wait starts because of it. When your situation allows it again (for example with a renewed permit, or at a directorate of your new province), you can ask again on the portal.\nYour request: {link}\n\nProvincial Directorate of Migration Management",
        "ar": "مرحباً {name}،\n\nسحب النظام طلب موعدك ({service})، ولم يُمنح لك أي موعد.\nالسبب: {reason}\n\nهذا لا يُحتسب عليك: لا تبدأ بسببه أي فترة انتظار لمدة 30 يوماً. عندما يسمح وضعك بذلك مجدداً (مثلاً بعد تجديد تصريحك، أو لدى مديرية في ولايتك الجديدة) يمكنك تقديم طلب جديد عبر البوابة.\nطلبك: {link}\n\nمديرية إدارة الهجرة في الولاية",
        "fa": "سلام {name}،\n\nدرخواست نوبت شما ({service}) از سوی سامانه لغو شد و نوبتی به شما داده نشد.\nعلت: {reason}\n\nاین به زیان شما حساب نمی‌شود: به این دلیل هیچ دورهٔ انتظار 30 روزه‌ای آغاز نمی‌شود. هر زمان که وضعیت شما دوباره اجازه دهد (برای نمونه با مجوز تمدیدشده، یا در اداره‌ای در استان جدیدتان) می‌توانید دوباره از طریق درگاه درخواست دهید.\nدرخواست شما: {link}\n\nاداره کل مدیریت مهاجرت استان",
        "ru": "Здравствуйте, {name}!\n\nСистема отозвала вашу заявку на приём ({service}); приём вам не назначен.\nПричина: {reason}\n\nЭто не ставится вам в вину: 30-дневное ожидание из-за этого не начинается. Когда ваша ситуация снова это позволит (например, с продлённым разрешением или в управлении вашей новой провинции), вы сможете снова подать заявку на портале.\nВаша заявка: {link}\n\nПровинциальное управление миграционной службы",
        "uk": "Вітаємо, {name}!\n\nСистема відкликала вашу заявку на прийом ({service}); прийом вам не призначено.\nПричина: {reason}\n\nЦе не ставиться вам на карб: 30-денне очікування через це не починається. Коли ваша ситуація знову це дозволить (наприклад, з продовженим дозволом або в управлінні вашої нової провінції), ви зможете знову подати заявку на порталі.\nВаша заявка: {link}\n\nПровінційне управління міграційної служби",
    },
    # Why a request was withdrawn: one sentence, in the SMS, the email and on the request's page.
    "request.withdrawn.moved_province": {
        "tr": "Kayıtlara göre artık başka bir ilde yaşıyorsunuz.",
        "en": "The registry shows you now live in another province.",
        "ar": "يُظهر السجل أنك تقيم الآن في ولاية أخرى.",
        "fa": "طبق سوابق ثبت‌شده، اکنون در استان دیگری ساکن هستید.",
        "ru": "По данным реестра вы теперь живёте в другой провинции.",
        "uk": "За даними реєстру ви тепер живете в іншій провінції.",
    },
    "request.withdrawn.permit_ended": {
        "tr": "İzniniz, verebileceğimiz ilk randevu gününden önce sona eriyor.",
        "en": "Your permit ends before the first day we could give you.",
        "ar": "ينتهي تصريحك قبل أول يوم يمكننا منحه لك.",
        "fa": "مجوز شما پیش از نخستین روزی که می‌توانستیم به شما بدهیم به پایان می‌رسد.",
        "ru": "Ваше разрешение истекает раньше первого дня, который мы могли бы вам дать.",
        "uk": "Ваш дозвіл спливає раніше за перший день, який ми могли б вам дати.",
    },
    "request.withdrawn.not_eligible": {
        "tr": "Kayıtlardaki durumunuzla bu hizmet artık alınamıyor.",
        "en": "With your status in the registry, this service is no longer available to you.",
        "ar": "بوضعك المسجل في السجل، لم تعد هذه الخدمة متاحة لك.",
        "fa": "با وضعیت ثبت‌شدهٔ شما، این خدمت دیگر برایتان در دسترس نیست.",
        "ru": "С вашим статусом в реестре эта услуга вам больше недоступна.",
        "uk": "З вашим статусом у реєстрі ця послуга вам більше недоступна.",
    },
    "request.withdrawn.not_offered": {
        "tr": "Bu hizmet, talep ettiğiniz yerde artık verilmiyor.",
        "en": "This service is no longer offered where you asked for it.",
        "ar": "لم تعد هذه الخدمة تُقدَّم في المكان الذي طلبتها فيه.",
        "fa": "این خدمت دیگر در جایی که درخواست داده بودید ارائه نمی‌شود.",
        "ru": "Эта услуга больше не оказывается там, где вы её запросили.",
        "uk": "Ця послуга більше не надається там, де ви її запитали.",
    },
    "request.withdrawn.locked_out": {
        "tr": "Hesabınızda 30 günlük bir bekleme süresi başladı.",
        "en": "A 30-day wait is now in force on your account.",
        "ar": "بدأت على حسابك فترة انتظار مدتها 30 يوماً.",
        "fa": "اکنون یک دورهٔ انتظار 30 روزه برای حساب شما جاری است.",
        "ru": "Для вашей учётной записи сейчас действует 30-дневное ожидание.",
        "uk": "Для вашого облікового запису зараз діє 30-денне очікування.",
    },
    "request.withdrawn.withdrawn_by_applicant": {
        "tr": "Talebi siz geri çektiniz.",
        "en": "You withdrew this request yourself.",
        "ar": "لقد سحبت هذا الطلب بنفسك.",
        "fa": "شما خودتان این درخواست را پس گرفتید.",
        "ru": "Вы сами отозвали эту заявку.",
        "uk": "Ви самі відкликали цю заявку.",
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
        "tr": "Merhaba {name},\n\nMüdürlük, aynı işleminiz için size bir ek randevu verdi.\n\nTarih ve saat: {when} (İstanbul saati)\nYer: {directorate}\nAdres: {address}\nHizmet: {service}\nReferans kodu: {reference}\n\nYanınızda getirin:\n{bring}\n\nBu ek randevu yeni bir 30 günlük bekleme başlatmaz.\n\n{late}\n\nTakvim davetini ekte bulabilirsiniz.\n\nİl Göç İdaresi Müdürlüğü",
        "en": "Hello {name},\n\nThe directorate has given you a follow-up visit for the same matter.\n\nDate and time: {when} (Istanbul time)\nPlace: {directorate}\nAddress: {address}\nService: {service}\nReference: {reference}\n\nPlease bring:\n{bring}\n\nThis follow-up visit does not start a new 30-day wait.\n\n{late}\n\nThe calendar invitation is attached.\n\nProvincial Directorate of Migration Management",
        "ar": "مرحباً {name}،\n\nمنحتك المديرية زيارة متابعة للمعاملة نفسها.\n\nالتاريخ والوقت: {when} (بتوقيت إسطنبول)\nالمكان: {directorate}\nالعنوان: {address}\nالخدمة: {service}\nالرقم المرجعي: {reference}\n\nيرجى إحضار:\n{bring}\n\nلا تبدأ زيارة المتابعة هذه انتظاراً جديداً لمدة 30 يوماً.\n\n{late}\n\nدعوة التقويم مرفقة.\n\nمديرية إدارة الهجرة في الولاية",
        "fa": "سلام {name}،\n\nاداره برای همان پرونده به شما یک نوبت پیگیری داده است.\n\nتاریخ و ساعت: {when} (به وقت استانبول)\nمکان: {directorate}\nنشانی: {address}\nخدمت: {service}\nکد پیگیری: {reference}\n\nلطفاً همراه داشته باشید:\n{bring}\n\nاین نوبت پیگیری انتظار ۳۰ روزه تازه‌ای را آغاز نمی‌کند.\n\n{late}\n\nدعوت‌نامه تقویم پیوست است.\n\nاداره مهاجرت استان",
        "ru": "Здравствуйте, {name}!\n\nУправление назначило вам повторный визит по тому же делу.\n\nДата и время: {when} (по стамбульскому времени)\nМесто: {directorate}\nАдрес: {address}\nУслуга: {service}\nНомер записи: {reference}\n\nВозьмите с собой:\n{bring}\n\nЭтот повторный визит не начинает новое 30-дневное ожидание.\n\n{late}\n\nПриглашение в календарь во вложении.\n\nПровинциальное управление миграционной службы",
        "uk": "Вітаємо, {name}!\n\nУправління призначило вам повторний візит у тій самій справі.\n\nДата і час: {when} (за стамбульським часом)\nМісце: {directorate}\nАдреса: {address}\nПослуга: {service}\nНомер запису: {reference}\n\nВізьміть із собою:\n{bring}\n\nЦей повторний візит не починає нового 30-денного очікування.\n\n{late}\n\nЗапрошення до календаря у вкладенні.\n\nПровінційне управління міграційної служби",
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
MESSAGES.update(PRIVACY)


def text(key: str, language: str, **values: object) -> str:
    translations = MESSAGES[key]
    template = translations.get(language) or translations[FALLBACK]
    return template.format(**values)
