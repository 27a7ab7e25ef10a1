# أخطاء يراها الناس: أجوبة الواجهة البرمجية، حقول الاستمارات، الباب.
# تأتي قاعدة الحقل بعد اسمه.

## أي حقل

field-empty = فارغ
field-required = مطلوب
field-not-blank = يجب ألا يكون فارغًا
field-too-long = يتجاوز { $max } حرفًا
field-length = يجب أن يكون من 1 إلى { $max } حرفًا
field-control-chars = يحتوي على أحرف تحكم
field-too-large = كبير جدًا
field-not-negative = يجب ألا يكون سالبًا
field-at-most = يجب ألا يتجاوز { $max }
field-at-least = يجب ألا يقل عن { $min }
field-future = يجب أن يكون في المستقبل
field-one-of = يجب أن يكون إحدى القيم: { $values }
field-bad-id = ليس معرّفًا صالحًا
field-bad-cursor = ليس مؤشرًا من هذه الواجهة البرمجية
field-not-url = ليس عنوانًا على الويب
field-not-http = يجب أن يكون عنوان http(s)

## القيم المُدخلة

value-email = ليس عنوان بريد إلكتروني صالحًا
value-phone-chars = ليس رقم هاتف (أرقام ومسافات وعلامة + في البداية فقط)
value-phone = ليس رقم هاتف
value-phone-country = ليس رقمًا صالحًا في بلده
value-phone-stored = الرقم المحفوظ ليس بصيغة E.164
value-name = ليس اسمًا
value-locale = يجب أن تكون fr أو ar أو en
value-ticket = ليس رمز تذكرة
value-slug = يجب أن يكون من 2 إلى 63 حرفًا لاتينيًا صغيرًا أو رقمًا أو شرطة مفردة (مثلًا attitudes-conseil)
value-seats-min = يجب أن يضم مقعدًا واحدًا على الأقل
value-seats-max = يجب ألا يتجاوز { $max } مقعد
value-time-zone = ليست منطقة زمنية IANA مثل Africa/Casablanca
value-unknown = { $kind } غير معروف «{ $value }»
value-time-of-day = «{ $value }» ليس وقتًا مثل 21:00
value-local-time = يجب أن يكون تاريخًا ووقتًا محليين مثل 2027-01-16T09:00
value-instant-or-local = أدخل اللحظة أو الوقت المحلي، لا كليهما
value-time-required = مطلوب (لحظة أو وقتًا محليًا)

## غير موجود

not-found = { $entity ->
    [stop] المحطة غير موجودة
    [session] الجلسة غير موجودة
    [registration] التسجيل غير موجود
    [participant] المشارك غير موجود
    [edition] الدورة غير موجودة
    [series] السلسلة غير موجودة
    [speaker] المتدخل غير موجود
    [partner] الشريك غير موجود
    [partnership] الشراكة غير موجودة
    [member] العضو غير موجود
    [user] المستخدم غير موجود
    [organizer] المنظم غير موجود
    [tenant] المنظم غير موجود
    [api-key] مفتاح الواجهة البرمجية غير موجود
    [notification] الرسالة الفاشلة غير موجودة
   *[other] العنصر غير موجود
}

## التسجيل وما بعده

register-contact = أدخل بريدًا إلكترونيًا أو رقم هاتف (أو كليهما)
register-not-mobile = هذا الرقم لا يستقبل الرسائل القصيرة (ليس رقم هاتف محمول)؛ أدخل رقم هاتف محمول أو لا تطلب رسائل قصيرة
register-sms-country = لا تُرسل الرسائل القصيرة إلا إلى أرقام { $allowed }؛ هذا الرقم من { $found }؛ أدخل رقمًا كهذا أو لا تطلب رسائل قصيرة
register-too-many-sessions = 20 جلسة على الأكثر لكل تسجيل
register-session-elsewhere = إحدى الجلسات المختارة ليست من هذه المحطة
window-opens = يفتح التسجيل في هذه المحطة يوم { $at }
window-closed = التسجيل في هذه المحطة مغلق
window-unavailable = هذه المحطة غير مفتوحة للتسجيل
question-session-elsewhere = ليست جلسة من محطة هذا التسجيل
registration-cancelled = أُلغي هذا التسجيل
stop-over = انتهت هذه المحطة
contact-lookup = أدخل بريدًا إلكترونيًا أو رقم هاتف أو رمز تذكرة
cancel-started = بدأت المحطة؛ توجّه إلى مكتب الاستقبال
workshop-started = بدأت هذه الورشة؛ لم يعد التغيير ممكنًا
consent-no-email = لا يوجد بريد إلكتروني مسجَّل لهذا التسجيل
consent-no-mobile = لا يوجد رقم هاتف محمول مسجَّل لهذا التسجيل
cancel-checked-in = سبق تسجيل دخول هذا المشارك؛ لا يمكن إلغاء تسجيل شخص حاضر
ticket-or-link = أدخل ticketCode، أو registrationId مع signature، أو (للمنظمين) registrationId وحده
ticket-or-unsubscribe-link = أدخل ticketCode، أو participantId مع signature

## الدخول والصلاحيات

bad-credentials = البريد الإلكتروني أو كلمة المرور غير صحيحة
token-invalid = رمز الدخول غير صالح أو منتهٍ
log-in-first = سجّل الدخول أولًا: أرسل Authorization: Bearer <رمز>
which-organizer = أنت عضو لدى عدة منظمين: اذكر المنظم الذي تريد الدخول إليه (معرّفه)
role-forbids = دورك ({ $role }) لا يسمح بـ { $action }
key-lacks-scope = مفتاح الواجهة البرمجية هذا لا يملك الصلاحية { $scope }
key-invalid = مفتاح الواجهة البرمجية غير صالح أو ملغى أو منتهٍ
key-not-partner = هذا المفتاح للمنظم، لا لشريك
partner-api-needs-key = واجهة الشركاء تتطلب مفتاح شريك (esk_live_…)
owner-only = لا يعيّن المالكَ أو يغيّره أو يزيله إلا مالك
last-owner = { $verb ->
    [removed] لا يمكن إزالة آخر مالك: عيّن مالكًا آخر أولًا
   *[demoted] لا يمكن تخفيض دور آخر مالك: عيّن مالكًا آخر أولًا
}
member-exists = هذا الشخص عضو بالفعل لدى هذا المنظم
organizer-exists = المنظم { $slug } موجود بالفعل
password-min = يجب ألا تقل عن { $min } حرفًا
password-bytes = تتجاوز 1024 بايت
password-weak = سهلة التخمين: اختر عبارة أطول من عدة كلمات غير مألوفة
password-new-account = مطلوبة لحساب جديد
scope-unknown = «{ $scope }» ليست صلاحية
scopes-empty = اذكر صلاحية واحدة على الأقل
scope-organizer-only = { $scope } صلاحية منظم؛ مفتاح الشريك يملك agenda:read وstats:read وleads:read
scope-partner-only = { $scope } صلاحية شريك: أنشئ المفتاح لشريك (partnerId)
scope-people-only = { $scope } محجوزة للأشخاص: لا يمكن لمفتاح إنشاء مفاتيح أو تغيير الفريق
rate-limited = { AR_PLURAL($seconds) ->
    [zero] محاولات كثيرة جدًا؛ أعد المحاولة الآن
    [one] محاولات كثيرة جدًا؛ أعد المحاولة بعد ثانية واحدة
    [two] محاولات كثيرة جدًا؛ أعد المحاولة بعد ثانيتين
    [few] محاولات كثيرة جدًا؛ أعد المحاولة بعد { $seconds } ثوانٍ
    [many] محاولات كثيرة جدًا؛ أعد المحاولة بعد { $seconds } ثانية
   *[other] محاولات كثيرة جدًا؛ أعد المحاولة بعد { $seconds } ثانية
}
key-rate-limited = بلغ مفتاح الواجهة البرمجية هذا حدّه؛ أعد المحاولة بعد { $seconds } ث

## بناء البرنامج

time-skipped = { $time } غير موجود في { $zone } (تتغير الساعة ذلك اليوم)
translation-twice = اللغة { $locale } مذكورة مرتين
ends-after-start = يجب أن يكون بعد startsAt
stop-max-days = لا تتجاوز المحطة 14 يومًا
close-after-start = يجب ألا يكون بعد بداية المحطة
open-after-close = يجب أن يكون قبل registrationClosesAt
open-after-start = يجب أن يكون قبل بداية المحطة
series-exists = السلسلة { $slug } موجودة بالفعل
edition-number = يجب ألا يقل عن 1
edition-year = يجب أن تكون سنة مثل 2027
edition-exists = الدورة { $number } من هذه السلسلة موجودة بالفعل
shift-days = يجب أن يبقى في حدود عشر سنوات
session-outside-stop = يجب أن تُعقد الجلسة خلال أوقات محطتها
topics-max = 6 مواضيع على الأكثر
capacity-below-taken = { $taken } مقعدًا محجوزة بالفعل؛ لا يمكن أن تقل السعة عن ذلك
partner-exists = يوجد شريك بهذا الاسم بالفعل
reschedule-before-close = ستبدأ المحطة قبل إغلاق التسجيل؛ غيّر registrationClosesAt أولًا
reschedule-session-outside = ستنتهي الجلسة «{ $title }» خارج الأوقات الجديدة؛ قصّرها أو وسّع المحطة
edition-or-stop = أدخل واحدًا فقط من editionId وstopId
edition-or-stop-not-both = أدخل editionId أو stopId، لا كليهما

## الرسائل

policy-max = { $max } تذكيرات على الأكثر لكل قاعدة
policy-minutes = يجب أن يكون بين 1 و{ $max } دقيقة (90 يومًا)
policy-duplicate = { $minutes } دقيقة قبل { $anchor ->
    [session] كل ورشة
   *[stop] المحطة
} مذكورة مرتين
channels-empty = اذكر قناة واحدة على الأقل
time-of-day = يجب أن يكون وقتًا بين 00:00 و23:59
quiet-hours-empty = يجب ألا تكون ساعات الهدوء فارغة
template-part-size = جزء من القالب يتجاوز 64 كيلوبايت
template-sms-subject = للرسالة القصيرة نص فقط
template-sms-segments = ينتج المثال { $segments } أجزاء رسالة قصيرة؛ لا يُرسل أكثر من { $max }
template-undefined = { $expression } ليس متغيرًا في هذه الرسالة (انظر docs/TEMPLATES.md للقائمة)
template-invalid = { $detail }
broadcast-subject = سطر واحد من 1 إلى { $max } حرفًا
broadcast-body = من 1 إلى { $max } حرفًا
retry-ids = أدخل من 1 إلى 500 معرّف رسالة
sms-cap = يجب أن يكون بين 0 (بلا رسائل قصيرة) و1000000
country-code = «{ $value }» ليس رمز بلد (ISO 3166، حرفان: MA، FR)
countries-count = أدخل من 1 إلى 30 بلدًا
look-accent-format = يجب أن يكون لونًا مكتوبًا على الشكل #RRGGBB (مثلًا #0b5d6b)
look-accent-contrast = فاتح جدًا: النص الأبيض عليه يُقرأ بنسبة { $ratio }:1 والصفحات تتطلب 4.5:1 (WCAG AA)؛ اختر درجة أغمق
look-logo-format = يجب أن يكون صورة PNG أو JPEG أو WebP في عنوان data: (data:image/png;base64,…)
look-logo-size = يجب ألا يتجاوز { $max } كيلوبايت
look-origin = «{ $origin }» ليس أصلًا مثل https://www.example.ma (https، بدون مسار)
look-origins-count = لا يمكن أن يذكر أكثر من { $max } مواقع
organizer-slug-reserved = «{ $slug }» عنوان خاص بالمنصة نفسها؛ اختر عنوانًا آخر
sms-sender-id = من 3 إلى 11 حرفًا لاتينيًا أو رقمًا، دون مسافة
