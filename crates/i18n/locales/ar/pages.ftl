# الصفحات التي تفتحها روابط الرسائل: تسجيل المشارك (/m/…) وصفحة المتحدثين (/s/…).

page-invalid-link-title = رابط غير صالح
page-invalid-link = هذا الرابط غير صالح أو لم يعد صالحًا. استعمل رابط آخر رسالة وصلتك، أو اتصل بالمنظِّم.
manage-title = تسجيلك
manage-hello = مرحبًا { $name }،
manage-confirmed = مقعدك مؤكَّد.
manage-waitlisted = أنت على قائمة الانتظار: { $position ->
    [one] أنت التالي في الدور.
   *[other] المرتبة { $position }.
}
manage-cancelled = أُلغي هذا التسجيل في { $date }.
manage-checked-in = سُجِّل دخولك على الساعة { $time }.
manage-when = متى
manage-where = أين
manage-ticket = رمز الدخول
manage-ticket-note = أظهر هذا الرمز أو رمز QR الخاص به عند المدخل.
speaker-title = أسئلة حول «{ $session }»
speaker-count = { $count ->
    [0] لا توجد أسئلة بعد.
    [one] سؤال واحد.
    [two] سؤالان.
    [few] { $count } أسئلة.
   *[other] { $count } سؤالًا.
}
page-unavailable = الخدمة غير متاحة مؤقتًا؛ يرجى إعادة المحاولة بعد لحظات.

# الصفحات العامة: المنظِّم، المحطة، استمارة التسجيل.

page-skip = الانتقال إلى المحتوى
page-languages = اللغة
page-footer = التسجيل عبر Escale. تبقى بياناتك لدى المنظِّم.
page-not-found-title = الصفحة غير موجودة
page-not-found = لا توجد صفحة بهذا العنوان. تحقّق من الرابط، أو عُد إلى صفحة المنظِّم.
page-slow-down = طلبات كثيرة جدًا
home-title = المنظِّمون
tenant-partners = الشركاء
tenant-nothing-now = لم يُعلَن عن أي محطة حاليًا.
tenant-past = الدورات السابقة
stop-seats-left = { AR_PLURAL($count) ->
    [zero] اكتمل العدد
    [one] بقي مقعد واحد
    [two] بقي مقعدان
    [few] بقيت { $count } مقاعد
    [many] بقي { $count } مقعدًا
   *[other] بقي { $count } مقعد
}
stop-full-waitlist = اكتمل العدد — قائمة الانتظار مفتوحة
stop-opens = يبدأ التسجيل يوم { $date }
stop-closed = التسجيل مغلق
stop-zone = بالتوقيت المحلي، { $zone }
stop-directions = كيفية الوصول
session-more = لمعرفة المزيد
stop-map = عرض على الخريطة
stop-alternatives = محطات أخرى ما زالت فيها مقاعد
stop-agenda = البرنامج
session-workshop = ورشة
session-talk = محاضرة
session-panel = مائدة مستديرة
session-meeting = لقاءات
session-full-waitlist = اكتمل العدد — قائمة الانتظار
topic-digital-marketing = التسويق الرقمي
topic-financial-education = التربية المالية
topic-budgeting = تدبير الميزانية
topic-banking-relations = العلاقة مع البنك
topic-digital-transformation = التحول الرقمي
topic-other = موضوع آخر
language-fr = الفرنسية
language-ar = العربية
language-en = الإنجليزية
segment-tpe = مقاولة صغيرة جدًا
segment-micro-enterprise = مقاولة ذاتية صغيرة
segment-auto-entrepreneur = مقاول ذاتي
segment-project-holder = حامل مشروع
segment-other = غير ذلك
form-title = التسجيل
form-title-waitlist = التسجيل في قائمة الانتظار
form-has-errors = بعض الأجوبة تحتاج إلى تصحيح، وهي مبيَّنة أدناه.
form-name = الاسم الكامل
form-contact-hint = بريد إلكتروني أو رقم هاتف (أو كلاهما) لنرسل إليك رمز الدخول.
form-email = البريد الإلكتروني
form-phone = الهاتف
form-phone-hint = مثلًا ⁦06 12 34 56 78⁩ أو ⁦+212 6 12 34 56 78⁩
form-language = لغة رسائلك
form-sessions = الورشات التي ترغب في حضورها
form-profile = نشاطك (اختياري)
form-segment = أنت
form-company = المقاولة أو المشروع
form-sector = قطاع النشاط
form-region = الجهة
form-question = سؤال للمتدخلين (اختياري)
form-topic = الموضوع
form-question-body = سؤالك
form-consents = اختياراتك (اختيارية)
form-consent-email = أرغب في تلقي تذكيرات بالبريد الإلكتروني قبل الحدث.
form-consent-sms = أرغب في تلقي تذكيرات عبر الرسائل القصيرة قبل الحدث.
form-consent-partners = أوافق على مشاركة اسمي ومعلومات الاتصال بي مع شركاء المحطة.
privacy-title = معطياتك الشخصية
privacy-notice = يجمع { $organizer } هذه المعلومات لتدبير تسجيلك وإرسال رمز الدخول إليك، وكذا التذكيرات إن وافقت على ذلك. لا تُستعمل لأي غرض آخر، ولا تُسلَّم إلى الشركاء إلا إذا أشّرت على الخانة الخاصة بذلك. تُحفظ إلى نهاية الدورة ثم تُحذف أو تُجعل مجهولة الهوية. يمكنك سحب كل موافقة في أي وقت عبر الرابط الموجود في رسالة التأكيد، أو بالرد بكلمة STOP على الرسائل القصيرة، كما يمكنك أن تطلب من المنظِّم الاطلاع على معطياتك أو حذفها (القانون 09-08 بالمغرب، واللائحة العامة لحماية البيانات بأوروبا).
form-submit = تأكيد تسجيلي
form-submit-waitlist = سجّلني في قائمة الانتظار
form-cross-site-title = رُفضت الاستمارة
form-cross-site = لم تُرسَل هذه الاستمارة من صفحاتنا. افتح صفحة المحطة وأعد المحاولة.
form-forged = هذه الاستمارة ليست من صفحاتنا. افتح صفحة المحطة وأعد المحاولة.
form-expired = بقيت الصفحة مفتوحة مدة طويلة. راجع أجوبتك وأرسلها من جديد.
register-already-title = أنت مسجَّل من قبل
register-already = يوجد تسجيل في هذه المحطة بهذه المعلومات. تجد رابط الاطلاع عليه أو تعديله في رسالة التأكيد.
manage-welcome = تمّ تسجيلك. ستصلك رسالة تأكيد.
manage-calendar = إضافة إلى مفكرتي
manage-print = طباعة تذكرتي
manage-keep-link = احتفظ بهذا الرابط فهو يعيدك إلى هذه الصفحة، ولا تشاركه مع أحد.
manage-cancel = إلغاء تسجيلي
cancel-title = إلغاء التسجيل
cancel-explain = سيُعرض مقعدك على الشخص التالي في قائمة الانتظار. لا يمكن التراجع عن هذا الإجراء.
cancel-confirm = نعم، ألغِ تسجيلي
cancel-back = لا، العودة إلى تسجيلي
manage-ask = إرسال سؤالي
manage-question-sent = وصل سؤالك إلى المتدخلين دون ذكر اسمك.
manage-consent-given = تمت الموافقة في { $date }
manage-consent-not-given = لم تتم الموافقة
manage-consent-withdraw = سحب موافقتي
manage-consent-withdrawn = تم سحب موافقتك، ولن يُرسَل أي شيء كان يتوقف عليها.
manage-workshops = ورشاتي
manage-workshop-in = لك مقعد في هذه الورشة.
manage-workshop-waiting = قائمة انتظار الورشة: المرتبة { $position }.
manage-workshop-held = مكانك في هذه الورشة محفوظ إلى أن تحصل على مقعد في المحطة.
manage-workshop-join = التسجيل في هذه الورشة
manage-workshop-join-waitlist = الانضمام إلى قائمة انتظارها
manage-workshop-leave = مغادرة هذه الورشة
manage-workshop-started = بدأت الورشة.
manage-workshop-joined = تمّ: لك مقعد في الورشة.
manage-workshop-queued = تمّ: أنت على قائمة انتظار الورشة.
manage-workshop-left = تمّ: غادرت الورشة، ومقعدك يذهب إلى الشخص التالي.
manage-consent-give = منح موافقتي
manage-consent-recorded = تمّ تسجيل موافقتك.
manage-language-save = حفظ
manage-language-changed = تم: ستصلك رسائلك القادمة بهذه اللغة.
