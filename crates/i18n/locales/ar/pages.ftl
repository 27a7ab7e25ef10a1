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
