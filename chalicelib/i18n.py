"""The one catalogue of texts people read, in their language: Turkish, English, Arabic, Persian,
Russian and Ukrainian (others read English); Arabic and Persian are written right to left.
Notifications (below) and the portal's pages (`chalicelib/web/texts.py`) both draw from `MESSAGES`."""

from __future__ import annotations

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
        "tr": "Merhaba {name},\n\nRandevunuz onaylandı.\n\nTarih ve saat: {when} (İstanbul saati)\nYer: {directorate}\nAdres: {address}\nHizmet: {service}\nReferans kodu: {reference}\n\nYanınızda getirin: {bring}.\n\nOnaylanmış bir randevu iptal edilemez veya değiştirilemez ve 30 gün boyunca yeni randevu alınmasını engeller. Gelmezseniz 30 gün boyunca yeni randevu alamazsınız.\n\n{late}\n\nTakvim davetini ekte bulabilirsiniz.\n\nİl Göç İdaresi Müdürlüğü",
        "en": "Hello {name},\n\nYour appointment is confirmed.\n\nDate and time: {when} (Istanbul time)\nPlace: {directorate}\nAddress: {address}\nService: {service}\nReference: {reference}\n\nPlease bring: {bring}.\n\nA confirmed appointment cannot be cancelled or changed, and no new appointment can be booked for 30 days. If you do not come, you cannot book again for 30 days.\n\n{late}\n\nThe calendar invitation is attached.\n\nProvincial Directorate of Migration Management",
        "ar": "مرحباً {name}،\n\nتم تأكيد موعدك.\n\nالتاريخ والوقت: {when} (بتوقيت إسطنبول)\nالمكان: {directorate}\nالعنوان: {address}\nالخدمة: {service}\nالرقم المرجعي: {reference}\n\nيرجى إحضار: {bring}.\n\nلا يمكن إلغاء الموعد المؤكد أو تغييره، ولا يمكن حجز موعد جديد لمدة 30 يوماً. إذا لم تحضر فلن تتمكن من الحجز مجدداً لمدة 30 يوماً.\n\n{late}\n\nدعوة التقويم مرفقة.\n\nمديرية إدارة الهجرة في الولاية",
        "fa": "سلام {name}،\n\nنوبت شما تأیید شد.\n\nتاریخ و ساعت: {when} (به وقت استانبول)\nمکان: {directorate}\nنشانی: {address}\nخدمت: {service}\nکد پیگیری: {reference}\n\nلطفاً همراه داشته باشید: {bring}.\n\nنوبت تأییدشده قابل لغو یا تغییر نیست و تا 30 روز نمی‌توان نوبت جدیدی گرفت. اگر نیایید، تا 30 روز نمی‌توانید دوباره نوبت بگیرید.\n\n{late}\n\nدعوت‌نامه تقویم پیوست است.\n\nاداره کل مهاجرت استان",
        "ru": "Здравствуйте, {name}!\n\nВаша запись подтверждена.\n\nДата и время: {when} (по стамбульскому времени)\nМесто: {directorate}\nАдрес: {address}\nУслуга: {service}\nНомер записи: {reference}\n\nВозьмите с собой: {bring}.\n\nПодтверждённую запись нельзя отменить или изменить, и в течение 30 дней записаться снова нельзя. Если вы не придёте, вы не сможете записаться в течение 30 дней.\n\n{late}\n\nПриглашение в календарь во вложении.\n\nМиграционное управление провинции",
        "uk": "Вітаємо, {name}!\n\nВаш запис підтверджено.\n\nДата й час: {when} (за стамбульським часом)\nМісце: {directorate}\nАдреса: {address}\nПослуга: {service}\nНомер запису: {reference}\n\nВізьміть із собою: {bring}.\n\nПідтверджений запис не можна скасувати чи змінити, і протягом 30 днів записатися знову не можна. Якщо ви не прийдете, ви не зможете записатися протягом 30 днів.\n\n{late}\n\nЗапрошення до календаря у вкладенні.\n\nМіграційне управління провінції",
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
        "tr": "Merhaba {name},\n\nRandevunuz yarın.\n\nTarih ve saat: {when} (İstanbul saati)\nYer: {directorate}\nAdres: {address}\nHizmet: {service}\nReferans kodu: {reference}\nGiriş kodu: {code}\n\nGiriş kodunu görevliye söyleyin. Yanınızda getirin: {bring}.\n\n{late}\n\nGelmezseniz 30 gün boyunca yeni randevu alamazsınız.\n\nİl Göç İdaresi Müdürlüğü",
        "en": "Hello {name},\n\nYour appointment is tomorrow.\n\nDate and time: {when} (Istanbul time)\nPlace: {directorate}\nAddress: {address}\nService: {service}\nReference: {reference}\nCheck-in code: {code}\n\nTell the check-in code to the officer. Please bring: {bring}.\n\n{late}\n\nIf you do not come, you cannot book again for 30 days.\n\nProvincial Directorate of Migration Management",
        "ar": "مرحباً {name}،\n\nموعدك غداً.\n\nالتاريخ والوقت: {when} (بتوقيت إسطنبول)\nالمكان: {directorate}\nالعنوان: {address}\nالخدمة: {service}\nالرقم المرجعي: {reference}\nرمز تسجيل الحضور: {code}\n\nأخبر الموظف برمز تسجيل الحضور. يرجى إحضار: {bring}.\n\n{late}\n\nإذا لم تحضر فلن تتمكن من الحجز مجدداً لمدة 30 يوماً.\n\nمديرية إدارة الهجرة في الولاية",
        "fa": "سلام {name}،\n\nنوبت شما فردا است.\n\nتاریخ و ساعت: {when} (به وقت استانبول)\nمکان: {directorate}\nنشانی: {address}\nخدمت: {service}\nکد پیگیری: {reference}\nکد حضور: {code}\n\nکد حضور را به کارمند بگویید. لطفاً همراه داشته باشید: {bring}.\n\n{late}\n\nاگر نیایید، تا 30 روز نمی‌توانید دوباره نوبت بگیرید.\n\nاداره کل مهاجرت استان",
        "ru": "Здравствуйте, {name}!\n\nВаш приём завтра.\n\nДата и время: {when} (по стамбульскому времени)\nМесто: {directorate}\nАдрес: {address}\nУслуга: {service}\nНомер записи: {reference}\nКод регистрации: {code}\n\nНазовите код регистрации сотруднику. Возьмите с собой: {bring}.\n\n{late}\n\nЕсли вы не придёте, вы не сможете записаться в течение 30 дней.\n\nМиграционное управление провинции",
        "uk": "Вітаємо, {name}!\n\nВаш прийом завтра.\n\nДата й час: {when} (за стамбульським часом)\nМісце: {directorate}\nАдреса: {address}\nПослуга: {service}\nНомер запису: {reference}\nКод реєстрації: {code}\n\nНазвіть код реєстрації працівникові. Візьміть із собою: {bring}.\n\n{late}\n\nЯкщо ви не прийдете, ви не зможете записатися протягом 30 днів.\n\nМіграційне управління провінції",
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
    "bring.default": {
        "tr": "pasaportunuz veya yabancı kimlik kartınız, ikamet izni kartınız ve bu referans kodu",
        "en": "your passport or foreigner ID card, your permit card and this reference code",
        "ar": "جواز سفرك أو بطاقة هوية الأجانب، وبطاقة الإقامة أو الحماية، وهذا الرقم المرجعي",
        "fa": "گذرنامه یا کارت شناسایی اتباع خارجی، کارت اجازه اقامت و همین کد پیگیری",
        "ru": "паспорт или удостоверение личности иностранца, карту разрешения и этот номер записи",
        "uk": "паспорт або посвідчення особи іноземця, картку дозволу та цей номер запису",
    },
    "bring.address_registration": {
        "tr": "pasaportunuz veya yabancı kimlik kartınız, kira sözleşmesi veya tapu belgesi ve bu referans kodu",
        "en": "your passport or foreigner ID card, your rental contract or title deed, and this reference code",
        "ar": "جواز سفرك أو بطاقة هوية الأجانب، وعقد الإيجار أو سند الملكية، وهذا الرقم المرجعي",
        "fa": "گذرنامه یا کارت شناسایی اتباع خارجی، اجاره‌نامه یا سند مالکیت و همین کد پیگیری",
        "ru": "паспорт или удостоверение личности иностранца, договор аренды или свидетельство о собственности и этот номер записи",
        "uk": "паспорт або посвідчення особи іноземця, договір оренди або документ про право власності та цей номер запису",
    },
    "bring.passport_number_update": {
        "tr": "yeni ve eski pasaportunuz, yabancı kimlik kartınız ve bu referans kodu",
        "en": "your new and old passports, your foreigner ID card and this reference code",
        "ar": "جواز سفرك الجديد والقديم، وبطاقة هوية الأجانب، وهذا الرقم المرجعي",
        "fa": "گذرنامه جدید و قدیم، کارت شناسایی اتباع خارجی و همین کد پیگیری",
        "ru": "новый и старый паспорта, удостоверение личности иностранца и этот номер записи",
        "uk": "новий і старий паспорти, посвідчення особи іноземця та цей номер запису",
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
