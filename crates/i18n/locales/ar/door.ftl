# الباب: ما يقرؤه الفريق بعد كل مسح (بالتوقيت المحلي للمحطة).

door-welcome = مرحبًا، { $name }
door-already = { $name } سجّل دخوله بالفعل (منذ { $time })
door-cancelled = أُلغي هذا التسجيل يوم { $date } على الساعة { $time }
door-waitlisted = هذا الشخص في لائحة الانتظار (الرتبة { $position })، وليس مؤكدًا
door-other-stop = هذه التذكرة لمحطة { $stop } يوم { $date }، لا لهذه المحطة
door-too-early = هذه التذكرة ليوم { $date } على الساعة { $time }: يفتح الباب يوم { $opens }
door-too-late = كانت هذه التذكرة ليوم { $date }: انتهت المحطة
door-changed = تغيّر هذا التسجيل أثناء المسح؛ امسح مرة أخرى
door-conflict = سبق أن دخل(ت) { $name } من { $door } على الساعة { $time }: قُبل(ت) مرتين
door-unknown = تذكرة غير معروفة: تحقق من الرمز
door-synced = سبق إرسال هذا المسح
door-scan-key = معرّف مسح غير صالح (من 8 إلى 64 حرفًا أو رقمًا أو شرطة)
door-too-many-scans = { $max } مسحًا على الأكثر في كل إرسال
door-no-scans = لا يوجد مسح لإرساله
door-list-closed = لا تُعطى لائحة الباب إلا يوم المحطة: من { $opens } إلى { $closes }
door-no-seat = لا يوجد مقعد محجوز في الورشة «{ $workshop }»
door-conflict-elsewhere = سبق أن دخل(ت) { $name } على الساعة { $time }: قُبل(ت) مرتين
