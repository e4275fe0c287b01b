"""Persian. Names are the language adjectives, which follow "منابع" as they are ("در
منابع آلمانی و چینی"); Turkish is "ترکی استانبولی", since "ترکی" alone often means
Azerbaijani in Iran. Lists take "، " and " و " before the last. Persian counts take the
singular ("۳ سند"), so numbers stand before their noun. Half-spaces (U+200C) are part
of the words ("آن‌ها", "کره‌ای")."""

PHRASES = {
    "found_in_other": "پاسخ این پرسش در منابع {langs} آمده است؛ متن آن‌ها چنین است:",
    "not_found": "در اسناد پاسخی برای این پرسش پیدا نکردم.",
    "nearest": "نزدیک‌ترین بخش‌ها:",
    "sources": "منابع",
    "coverage": "منابع بر اساس زبان",
    "candidates": "گزینه‌ها",
    "ask": "پرسش خود را به هر زبانی مطرح کنید",
    "send": "بپرسید",
    "documents": "اسناد",
    "upload": "افزودن اسناد",
    "answer_language": "زبان پاسخ",
    "search_languages": "جست‌وجو در اسناد به این زبان‌ها",
    "n_sources": "تعداد منابع",
    "auto": "خودکار",
    "examples": "نمونه‌ها",
    "indexed": "اسناد نمایه‌شده",
    "llm_fallback": "(مدل زبانی پاسخی نداد؛ این پاسخ از نقل‌قول‌های منابع ساخته شده است.)",
    "unsupported": "(منبعش آن را تأیید نمی‌کند)",
    "follow_up": "دربارهٔ «{subject}»، در ادامهٔ پرسش قبلی شما:",
    # The chat window (bot/chat/app.py).
    "language_name": "فارسی",
    "ui_language": "زبان رابط کاربری",
    "chat": "گفت‌وگو",
    "filters": "فیلترها",
    "all_when_none": "اگر هیچ‌کدام انتخاب نشود، همهٔ زبان‌ها",
    "new_chat": "گفت‌وگوی تازه",
    "chars": "نویسه‌های",
    "sentence": "جملهٔ",
    "translations": "همین متن به زبان‌های دیگر",
    "sources_empty": (
        "پرسشی مطرح کنید: منابع هر پاسخ اینجا نمایش داده می‌شود و جمله‌ای که آن را تأیید "
        "می‌کند برجسته می‌شود."
    ),
    "cited": "نقل‌شده",
    "indexing": "در حال نمایه‌سازی",
    "upload_done": (
        "{added} سند جدید و {changed} سند به‌روزشده نمایه شد ({unchanged} سند بدون تغییر)؛ "
        "نمایه {chunks} بخش دارد."
    ),
    "upload_skipped": "نمایه نشد: {name}: {reason}",
    "upload_refused": "رد شد: {name}: {reason}",
    "upload_types": "قالب‌ها: {types}",
    "col_document": "سند",
    "col_title": "عنوان",
    "col_language": "زبان",
    "col_chunks": "بخش‌ها",
    "col_indexed_at": "زمان نمایه‌سازی",
}

NAMES = {
    "en": "انگلیسی", "tr": "ترکی استانبولی", "hi": "هندی", "de": "آلمانی", "zh": "چینی",
    "es": "اسپانیایی", "fr": "فرانسوی", "ru": "روسی", "ar": "عربی", "ja": "ژاپنی",
    "ko": "کره‌ای", "pt": "پرتغالی", "it": "ایتالیایی", "nl": "هلندی", "pl": "لهستانی",
    "uk": "اوکراینی", "vi": "ویتنامی", "id": "اندونزیایی", "fa": "فارسی", "sv": "سوئدی",
}  # fmt: skip

CONJUNCTION = " و "
SEPARATOR = "، "
