## The organizers' console

console-login-title = الدخول إلى لوحة التحكم
console-login-intro = لفرق المنظِّمين: بريدك الإلكتروني وكلمة المرور.
console-password = كلمة المرور
console-organizer = المنظِّم
console-organizer-hint = معرّف المنظِّم في عنوانه، مثلًا attitudes-conseil.
console-login = دخول
console-logout = خروج
console-switch = تغيير
console-cross-site = لم تُرسَل هذه الاستمارة من لوحة التحكم. افتح لوحة التحكم وأعد المحاولة.
console-forged = لم تعد هذه الاستمارة صالحة (انتهت الجلسة أو الصفحة من جلسة أخرى). افتح لوحة التحكم وأعد المحاولة.
console-dashboard = لوحة القيادة
console-door-only = يتيح لك دورك الاستقبال (مراقبة التذاكر) فقط.
console-no-edition = لا توجد دورة بعد.
console-edition = الدورة
console-show = عرض
console-stops = محطات الدورة
console-stop = المحطة
console-confirmed = المؤكَّدون / المقاعد
console-waiting = في الانتظار
console-cancelled = الملغَون
console-checked-in = الحاضرون
console-stop-draft = مسودة
console-stop-published = منشورة
console-stop-cancelled = ملغاة
console-totals = المؤكَّدون: { $confirmed } / { $capacity } · في الانتظار: { $waiting } · الحاضرون: { $checkedIn }
console-role-owner = مالك
console-role-admin = مدير
console-role-staff = فريق
console-role-checkin = استقبال
console-back = لوحة القيادة
console-search = بحث (الاسم أو البريد أو الهاتف أو الرمز)
console-export = تصدير القائمة (CSV)
console-list = تسجيلات المحطة
console-next = الصفحة التالية
console-matching = { AR_PLURAL($count) ->
    [zero] لا يوجد تسجيل مطابق.
    [one] تسجيل واحد.
    [two] تسجيلان.
    [few] { $count } تسجيلات.
    [many] { $count } تسجيلًا.
   *[other] { $count } تسجيل.
}
console-col-person = المشارك
console-col-status = الحالة
console-col-workshops = الورشات
console-col-registered = تاريخ التسجيل
console-status-confirmed = مؤكَّد
console-status-waitlisted = في الانتظار (رقم { $position })
console-status-cancelled = ملغى
console-filter-all = الكل
console-filter-checked = حضروا
console-filter-not-checked = لم يحضروا بعد
console-new-stop = محطة جديدة
console-new-stop-draft = تُنشأ المحطة مسودةً: أضف ورشاتها ثم انشرها.
console-create-stop = إنشاء المحطة
console-field-name = اسم المحطة
console-field-region = الجهة
console-field-city = المدينة
console-field-venue = المكان
console-field-address = العنوان (اختياري)
console-field-directions = كيفية الوصول (اختياري)
console-field-starts = البداية (بالتوقيت المحلي)
console-field-ends = النهاية (بالتوقيت المحلي)
console-field-capacity = المقاعد
console-field-title = العنوان
console-field-room = القاعة (اختياري)
console-field-seats = المقاعد (فارغ: مفتوح للجميع)
console-seats-hint = مع عدد من المقاعد تكون ورشة بالتسجيل؛ ومن دونه جلسة مفتوحة للجميع.
console-sessions = البرنامج
console-no-session = لا توجد جلسة بعد.
console-add-session = إضافة جلسة
console-add = إضافة
console-publish = نشر المحطة
console-unpublish = إرجاعها إلى مسودة
console-public-page = عرض الصفحة العامة
console-edit = تعديل
console-time-invalid = يُنتظر تاريخ ووقت (YYYY-MM-DD HH:MM)
console-number-invalid = يُنتظر عدد صحيح
console-per-day = التسجيلات حسب اليوم
console-per-day-summary = { AR_PLURAL($count) ->
    [zero] لا تسجيل
    [one] تسجيل واحد
    [two] تسجيلان
    [few] { $count } تسجيلات
    [many] { $count } تسجيلًا
   *[other] { $count } تسجيل
} خلال { AR_PLURAL($days) ->
    [zero] أي يوم
    [one] يوم واحد
    [two] يومين
    [few] { $days } أيام
    [many] { $days } يومًا
   *[other] { $days } يوم
}
console-questions = الأسئلة حسب الموضوع
console-none-yet = لا شيء بعد.
console-team = الفريق
console-col-role = الدور
console-change = تغيير
console-remove = إزالة
console-since = منذ
console-add-member = إضافة شخص
console-member-name = الاسم (اختياري)
console-member-password = كلمة المرور
console-member-password-hint = لشخص جديد على المنصة (10 أحرف على الأقل، يصعب تخمينها)؛ تُترك فارغة لمن لديه حساب من قبل.
console-col-member = العضو
console-keys = مفاتيح API
console-key-secret = هذا هو المفتاح. انسخه الآن: لن يُعرض مرة أخرى أبدًا.
console-key-name = الاسم
console-key-scopes = الصلاحيات
console-key-scopes-hint = لمفتاح الشريك agenda:read أو stats:read أو leads:read؛ ولمفتاح المنظِّم صلاحيات المنظِّم (دون إدارة المفاتيح أو الفريق أبدًا).
console-key-active = فعّال
console-key-expired = منتهي الصلاحية
console-key-revoked = ملغى
console-key-revoke = إلغاء
console-key-new = مفتاح جديد
console-key-for = لِـ
console-key-own = المنظِّم (تكامله الخاص)
console-key-expires = ينتهي في (اختياري)
console-key-create = إنشاء المفتاح
console-key-log = سجل الوصول (آخر 50 طلبًا)
console-key-when = متى
console-key-operation = العملية
console-key-returned = العناصر / جهات الاتصال
console-audit = سجل التعديلات
console-audit-object = الكائن
console-audit-action = الإجراء
console-audit-key = مفتاح API
console-audit-platform = المنصة
console-audit-former = عضو سابق
console-audit-count = { AR_PLURAL($count) ->
    [zero] لا توجد أي مدخلات.
    [one] مدخل واحد.
    [two] مدخلان.
    [few] { $count } مدخلات.
    [many] { $count } مدخلًا.
   *[other] { $count } مدخل.
}
console-settings = الإعدادات
console-settings-saved = تم الحفظ: صفحات المنظِّم تعرض ذلك الآن.
console-accent = لون التمييز
console-accent-hint = بصيغة ⁦#rrggbb⁩؛ يجب أن يُقرأ النص الأبيض عليه (تباين WCAG AA بنسبة ⁦4.5:1⁩). فارغ: اللون الافتراضي.
console-remove-logo = إزالة الشعار
console-origins = المواقع التي يمكنها تضمين صفحاتك
console-origins-hint = عنوان https واحد في كل سطر، مثلًا https://www.exemple.ma (10 على الأكثر).
console-save = حفظ
console-history = التسجيلات (كل المحطات والدورات)
console-cancel-for = إلغاء هذا التسجيل نيابةً عنه
console-consents = الموافقات

## A stop's messages
console-messages = الرسائل
console-messages-by-channel = رسائل المحطة حسب القناة
console-channel = القناة
console-channel-email = البريد الإلكتروني
console-channel-sms = الرسائل القصيرة
console-messages-waiting = في انتظار الإرسال
console-messages-sent = مُرسَلة
console-messages-failed = فاشلة
console-messages-withdrawn = مسحوبة
console-sms-segments = أجزاء الرسائل القصيرة
console-broadcast = مراسلة المسجَّلين
console-broadcast-hint = يتلقى كل مسجَّل (مؤكَّد أو في قائمة الانتظار) النص بلغته، وإلا فبلغة المنظِّم، عبر القنوات التي وافق عليها. لا يُرسَل شيء قبل «إرسال»، بعد المعاينة.
console-channels = القنوات
console-urgent = عاجل: إرسال الرسائل القصيرة حتى في ساعات الهدوء
console-subject = الموضوع
console-body = الرسالة
console-preview = قبل الإرسال
console-preview-action = معاينة
console-people = { AR_PLURAL($count) ->
    [zero] لا أحد
    [one] شخص واحد
    [two] شخصان
    [few] { $count } أشخاص
    [many] { $count } شخصًا
   *[other] { $count } شخص
}
console-emails = { AR_PLURAL($count) ->
    [zero] لا رسالة بريد
    [one] رسالة بريد واحدة
    [two] رسالتا بريد
    [few] { $count } رسائل بريد
    [many] { $count } رسالة بريد
   *[other] { $count } رسالة بريد
}
console-sms-count = { AR_PLURAL($count) ->
    [zero] لا رسالة قصيرة
    [one] رسالة قصيرة واحدة
    [two] رسالتان قصيرتان
    [few] { $count } رسائل قصيرة
    [many] { $count } رسالة قصيرة
   *[other] { $count } رسالة قصيرة
}
console-segments = { AR_PLURAL($count) ->
    [zero] لا جزء
    [one] جزء واحد
    [two] جزءان
    [few] { $count } أجزاء
    [many] { $count } جزءًا
   *[other] { $count } جزء
}
console-cost = التكلفة التقديرية
console-no-price = سعر جزء الرسالة القصيرة غير مضبوط (ESCALE_SMS_SEGMENT_PRICE): لا تقدير للتكلفة.
console-reads = يقرأ النص بـ
console-sms-length = { AR_PLURAL($segments) ->
    [zero] لا جزء
    [one] جزء واحد
    [two] جزءان
    [few] { $segments } أجزاء
    [many] { $segments } جزءًا
   *[other] { $segments } جزء
} ({ $units } حرفًا)
console-send-to = { AR_PLURAL($count) ->
    [zero] إرسال
    [one] إرسال إلى شخص واحد
    [two] إرسال إلى شخصين
    [few] إرسال إلى { $count } أشخاص
    [many] إرسال إلى { $count } شخصًا
   *[other] إرسال إلى { $count } شخص
}
console-broadcast-sent = { AR_PLURAL($count) ->
    [zero] لم تُبرمَج أي رسالة: لم يوافق أحد على هذه القنوات.
    [one] بُرمِجت رسالة واحدة.
    [two] بُرمِجت رسالتان.
    [few] بُرمِجت { $count } رسائل.
    [many] بُرمِجت { $count } رسالة.
   *[other] بُرمِجت { $count } رسالة.
}
console-broadcast-unreachable = { AR_PLURAL($count) ->
    [zero] وافق الجميع على قناة واحدة على الأقل.
    [one] شخص واحد لم يوافق على أي من القنوات المختارة.
    [two] شخصان لم يوافقا على أي من القنوات المختارة.
    [few] { $count } أشخاص لم يوافقوا على أي من القنوات المختارة.
    [many] { $count } شخصًا لم يوافقوا على أي من القنوات المختارة.
   *[other] { $count } شخص لم يوافقوا على أي من القنوات المختارة.
}
console-retried = { AR_PLURAL($count) ->
    [zero] لم تُعَد أي رسالة.
    [one] أُعيد إرسال رسالة واحدة.
    [two] أُعيد إرسال رسالتين.
    [few] أُعيد إرسال { $count } رسائل.
    [many] أُعيد إرسال { $count } رسالة.
   *[other] أُعيد إرسال { $count } رسالة.
}
console-failed = الرسائل الفاشلة
console-failed-none = لا توجد رسائل فاشلة.
console-retry-pick = إعادة الإرسال
console-when = متى
console-message = الرسالة
console-recipient = المستلم
console-reason = السبب
console-attempts = { AR_PLURAL($count) ->
    [zero] لا محاولة
    [one] محاولة واحدة
    [two] محاولتان
    [few] { $count } محاولات
    [many] { $count } محاولة
   *[other] { $count } محاولة
}
console-retry = إعادة إرسال المحدَّد
console-message-confirmation = تأكيد
console-message-waitlisted = قائمة الانتظار
console-message-promotion = مقعد متاح
console-message-session_promotion = مقعد في ورشة
console-message-cancellation = إلغاء
console-message-reminder = تذكير
console-message-session_reminder = تذكير بورشة
console-message-broadcast = رسالة إلى المسجَّلين
console-message-stop_changed = تغيير المحطة
console-message-stop_cancelled = إلغاء المحطة

## Moving dates
console-reschedule = نقل المحطة
console-reschedule-hint = تتبع الورشات المحطة وتحافظ على مكانها في اليوم؛ وتُعاد برمجة التذكيرات. بالتوقيت المحلي للمحطة.
console-now = حاليًا:
console-notify = إخبار المسجَّلين (بريد مع التقويم المحدَّث، ورسالة قصيرة)
console-from = قبل:
console-to = بعد:
console-told = { AR_PLURAL($count) ->
    [zero] لا أحد مسجَّل: لا أحد لإخباره
    [one] سيُخبَر مسجَّل واحد
    [two] سيُخبَر مسجَّلان
    [few] سيُخبَر { $count } مسجَّلين
    [many] سيُخبَر { $count } مسجَّلًا
   *[other] سيُخبَر { $count } مسجَّل
}
console-not-told = لن يُخبَر أحد.
console-reschedule-confirm = نقل المحطة
console-clone = تحضير الدورة التالية
console-clone-hint = تُنسخ المحطات والورشات والمتدخلون والشراكات في دورة جديدة كمسودة، دون مسجَّلين، مع إزاحة التواريخ بالتوقيت المحلي (364 يومًا تحافظ على يوم الأسبوع).
console-field-number = رقم الدورة
console-field-year = السنة
console-field-shift = الإزاحة بالأيام
console-clone-empty = لا توجد محطات في هذه الدورة بعد.
console-weekday-changes = يوم أسبوع مختلف
console-clone-confirm = إنشاء الدورة
console-nearly-full = ورشات شبه ممتلئة
console-nearly-full-none = لا توجد ورشة بقي فيها أقل من خُمس مقاعدها.
console-messages-by-stop = الرسائل حسب المحطة
console-message-states = مُرسَلة · فاشلة · في الانتظار
console-before-confirm = للتحقق قبل التأكيد

## Message templates
console-templates = نماذج الرسائل
console-templates-hint = نص كل رسالة حسب القناة واللغة. عدّل نص المنصة، وتحقق من المعاينة باللغات الثلاث انطلاقًا من مثال، ثم احفظ: يُرفض النص الذي لا يمكن عرضه مع ذكر السبب.
console-language = اللغة
console-saved = تم الحفظ.
console-template-custom = نص المنظِّم
console-template-builtin = نص المنصة
console-template-text = نص البريد الإلكتروني
console-template-html = نسخة HTML (اختيارية)
console-template-variables = المتغيرات:
console-template-preview = معاينة انطلاقًا من مثال
console-template-reset = العودة إلى نص المنصة

## A stop's details
console-details = تفاصيل المحطة
console-details-staff = يغيّر المالك أو المسؤول المقاعد والمكان: فذلك يغيّر ما أُبلغ به المسجَّلون.
console-notify-place = إخبار المسجَّلين إذا تغيّر المكان أو العنوان أو المدينة

## Reminder policies
console-reminders = التذكيرات
console-reminders-hint = يُرسَل كل تذكير قبل المحطة بمدة (واحد لكل تسجيل) أو قبل كل ورشة من ورشات الشخص (واحد لكل مقعد)، عبر القنوات المختارة، لمن وافق عليها. تتبع التذكيرات المبرمجة فور الحفظ؛ ولا يُعاد إرسال ما أُرسل.
console-reminder-list = التذكيرات المرسلة
console-reminder-when = المدة
console-reminder-before = قبل
console-reminder-amount = كم
console-reminder-unit = الوحدة
console-unit-days = أيام
console-unit-hours = ساعات
console-unit-minutes = دقائق
console-anchor-stop = المحطة
console-anchor-session = كل ورشة
console-quiet-hours = ساعات الهدوء (بالتوقيت المحلي للمحطة)
console-quiet-on = لا رسائل قصيرة في هذه الساعات: تُرسَل عند انتهائها
console-quiet-from = من
console-quiet-to = إلى
console-policy-own-edition = قاعدة هذه الدورة
console-policy-own-stop = قاعدة خاصة بهذه المحطة
console-policy-edition = قاعدة الدورة (لا قاعدة خاصة لهذه المحطة)
console-policy-default = القاعدة الافتراضية للمنصة
console-policy-inherit-stop = اتباع قاعدة الدورة
console-policy-inherit-edition = العودة إلى القاعدة الافتراضية
console-replanned = تم الحفظ: بُرمِج { $planned } تذكيرًا، وسُحب { $withdrawn }.
console-edition-reminders = تذكيرات الدورة
console-no-message = لا توجد رسائل.
console-message-state-pending = مبرمجة
console-message-state-queued = قيد الإرسال
console-message-state-sending = قيد الإرسال
console-message-state-sent = أُرسلت
console-message-state-delivered = سُلّمت
console-message-state-failed = فشلت
console-message-state-cancelled = سُحبت
console-message-state-suppressed = لم تُرسَل (سُحبت الموافقة)

## The organizer's profile
console-profile = المنظِّم
console-look = المظهر والمواقع
console-tenant-name = اسم المنظِّم
console-tenant-zone = المنطقة الزمنية الافتراضية
console-tenant-zone-hint = منطقة المحطات الجديدة، مثلًا Africa/Casablanca.
console-tenant-language = اللغة الافتراضية (لرسائل من لم يختر لغة)
console-sender-name = اسم مُرسِل البريد الإلكتروني
console-sender-name-hint = اختياري: اسم المنظِّم إن لم يُحدَّد. عنوان الإرسال يضبطه مشغّل المنصة.
console-sms-sender = مُرسِل الرسائل القصيرة
console-sms-sender-hint = اختياري: من 3 إلى 11 حرفًا لاتينيًا أو رقمًا، إن سمح المشغّل بذلك.
console-logo = الشعار
console-logo-hint = PNG أو JPEG أو WebP، بحد أقصى 48 كيلوبايت: يظهر في أعلى صفحات المنظِّم.
console-logo-upload = رفع الشعار

## Series, editions, speakers, partners
console-directory = الفهرس
console-series = السلاسل والدورات
console-series-one = السلسلة
console-new-series = سلسلة جديدة
console-series-name = اسم السلسلة
console-series-slug = معرّفها في العنوان (أحرف لاتينية صغيرة وشرطات)
console-new-edition = دورة جديدة
console-edition-draft = مسودة
console-edition-published = منشورة
console-edition-archived = مؤرشفة
console-edition-to-published = نشر
console-edition-to-draft = إرجاع إلى المسودة
console-edition-to-archived = أرشفة
console-speakers = المتدخلون
console-new-speaker = متدخل جديد
console-speaker-name = الاسم الكامل
console-speaker-title = الصفة (اختياري)
console-speaker-organization = المؤسسة (اختياري)
console-speaker-email = البريد الإلكتروني (اختياري، لصفحته)
console-partners = الشركاء
console-new-partner = شريك جديد
console-partner-one = الشريك
console-partner-name = الاسم
console-partner-kind = النوع
console-partner-website = الموقع (اختياري)
console-new-partnership = شريك في دورة
console-partner-tier = المرتبة
console-kind-bank = بنك
console-kind-telecom = اتصالات
console-kind-public_agency = وكالة عمومية
console-kind-chamber = غرفة
console-kind-training = تكوين
console-kind-cooperation = تعاون
console-kind-media = إعلام
console-kind-other = آخر
console-tier-principal = شريك رئيسي
console-tier-official = شريك رسمي
console-tier-institutional = شريك مؤسساتي
console-tier-media = شريك إعلامي
console-tier-supporter = داعم

## The door
console-door = الاستقبال
console-door-counts = دخل { $in } من أصل { $confirmed } مؤكَّدًا
console-door-code = رمز التذكرة
console-door-check = تحقّق
console-door-inputs = امسح رمز QR بقارئ يدوي (يكتب الرمز ثم Enter) أو اكتب الرمز: تُغتفر الأحرف الكبيرة والمسافات والشرطة.
console-door-unknown = تذكرة غير معروفة: تحقّق من الرمز
console-doors = استقبال المحطات
console-door-unknown-offline = ليست في لائحة هذه المحطة (دون اتصال): تحقق من الرمز
console-door-online = متصل
console-door-offline = دون اتصال: تُحفظ الدخولات على هذا الجهاز
console-door-queued = في انتظار الإرسال: { $count }
console-door-list = لائحة اليوم ({ $count }) قُرئت على الساعة { $time }
console-door-no-list = لا توجد لائحة اليوم على هذا الجهاز: افتح هذه الشاشة متصلًا يوم المحطة
console-door-saved-offline = دون اتصال: سُجّل الدخول وسيُرسل عند عودة الشبكة
console-door-camera = المسح بالكاميرا
console-door-camera-stop = إيقاف الكاميرا
console-door-inputs-camera = على هذا الجهاز: الكاميرا (رمز QR) أو قارئ الرموز (يكتب الرمز ثم Entrée) أو الكتابة باليد.
console-door-inputs-plain = على هذا الجهاز: قارئ الرموز (يكتب الرمز ثم Entrée) أو الكتابة باليد. هذا المتصفح لا يقرأ رموز QR بالكاميرا (Chrome على أندرويد يقرؤها).
console-door-reported = دخل مرتين أو رغم اللائحة: للتحقق
console-door-signed-out = انتهت الجلسة: سجّل الدخول مجددًا لإرسال الدخولات
console-door-leave = بعض الدخولات لم تُرسل بعد؛ تسجيل الخروج يمحوها من هذا الجهاز. هل تتابع؟
console-door-unnamed = باب بلا اسم
console-door-elsewhere = في مكان آخر (API)
console-door-at = { $door }: { $count }
console-door-report = { $kind } — { $door }، { $time }
console-door-report-twice = دخل مرتين
console-door-report-refused = دخل دون اتصال رغم اللائحة
console-door-reports = للتحقق
console-door-name = اسم هذا الباب
console-door-name-label = اسم الباب (يُحسب كل باب على حدة)
console-door-name-hint = المدخل الشمالي
console-door-bad-batch = إرسال غير مقروء: أعد تحميل الصفحة
console-door-rooms = أبواب الورشات
console-door-main = باب المحطة
