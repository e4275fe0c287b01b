"""Arabic. Names are feminine singular adjectives, as an indefinite broken plural of
things takes them ("في مصادر ألمانية وصينية"); "و" is written joined to the next name and
repeated before each one, as Arabic lists do ("إنجليزية وألمانية وصينية"). Numbers are
labelled ("مستندات جديدة: 3") so no noun has to agree with a count."""

PHRASES = {
    "found_in_other": "الإجابة عن هذا السؤال موجودة في مصادر {langs}، وهذا ما ورد فيها:",
    "not_found": "لم أجد في المستندات إجابة عن هذا السؤال.",
    "nearest": "أقرب المقاطع:",
    "sources": "المصادر",
    "coverage": "المصادر حسب اللغة",
    "candidates": "المقاطع المرشحة",
    "ask": "اطرح سؤالًا بأي لغة",
    "send": "اسأل",
    "documents": "المستندات",
    "upload": "إضافة مستندات",
    "answer_language": "لغة الإجابة",
    "search_languages": "لغات المستندات التي يشملها البحث",
    "n_sources": "عدد المصادر",
    "auto": "تلقائي",
    "examples": "أمثلة",
    "indexed": "المستندات المفهرسة",
    "llm_fallback": "(لم يُجب النموذج اللغوي؛ هذه إجابة مقتبسة من المصادر.)",
    "unsupported": "(لا يدعمه مصدره)",
    "follow_up": "بخصوص «{subject}»، استمرارًا لسؤالك السابق:",
    # The chat window (bot/chat/app.py).
    "language_name": "العربية",
    "ui_language": "لغة الواجهة",
    "chat": "المحادثة",
    "filters": "عوامل التصفية",
    "all_when_none": "كل اللغات إذا لم تحدد أيًّا منها",
    "new_chat": "محادثة جديدة",
    "chars": "الأحرف",
    "sentence": "الجملة",
    "translations": "المحتوى نفسه بلغات أخرى",
    "sources_empty": "اطرح سؤالًا: ستظهر هنا مصادر كل إجابة، مع تمييز الجملة التي تدعمها.",
    "cited": "المقتبس منها",
    "indexing": "جارٍ الفهرسة",
    "upload_done": (
        "اكتملت الفهرسة. مستندات جديدة: {added}؛ محدّثة: {changed}؛ دون تغيير: {unchanged}؛ "
        "عدد المقاطع في الفهرس: {chunks}."
    ),
    "upload_skipped": "لم يُفهرَس: {name}: {reason}",
    "upload_refused": "مرفوض: {name}: {reason}",
    "upload_types": "الصيغ: {types}",
    "col_document": "المستند",
    "col_title": "العنوان",
    "col_language": "اللغة",
    "col_chunks": "المقاطع",
    "col_indexed_at": "وقت الفهرسة",
}

NAMES = {
    "en": "إنجليزية", "tr": "تركية", "hi": "هندية", "de": "ألمانية", "zh": "صينية",
    "es": "إسبانية", "fr": "فرنسية", "ru": "روسية", "ar": "عربية", "ja": "يابانية",
    "ko": "كورية", "pt": "برتغالية", "it": "إيطالية", "nl": "هولندية", "pl": "بولندية",
    "uk": "أوكرانية", "vi": "فيتنامية", "id": "إندونيسية", "fa": "فارسية", "sv": "سويدية",
}  # fmt: skip

CONJUNCTION = " و"
SEPARATOR = " و"
