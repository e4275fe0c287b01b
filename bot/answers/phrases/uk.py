"""Ukrainian. Names are adjectives in the nominative plural before "джерела" ("німецькі
та китайські джерела"; Hindi, which has no adjective, "гіндімовні"), so no preposition
has to change with the next word (в/у); "та" does not alternate as і/й does. Numbers
are labelled ("нові документи: 3") and phrases avoid the speaker's gender."""

PHRASES = {
    "found_in_other": "Відповідь на це питання дають {langs} джерела; ось що в них сказано:",
    "not_found": "У документах не знайшлося відповіді на це питання.",
    "nearest": "Найближчі фрагменти:",
    "sources": "Джерела",
    "coverage": "Джерела за мовами",
    "candidates": "кандидати",
    "ask": "Поставте запитання будь-якою мовою",
    "send": "Запитати",
    "documents": "Документи",
    "upload": "Додати документи",
    "answer_language": "Мова відповіді",
    "search_languages": "Мови документів для пошуку",
    "n_sources": "Кількість джерел",
    "auto": "автоматично",
    "examples": "Приклади",
    "indexed": "Проіндексовані документи",
    "llm_fallback": "(Мовна модель не відповіла; це відповідь, складена з цитат.)",
    "unsupported": "(не підтверджено джерелом)",
    "follow_up": "Про «{subject}», у продовження вашого попереднього запитання:",
    # The chat window (bot/chat/app.py).
    "language_name": "Українська",
    "ui_language": "Мова інтерфейсу",
    "chat": "Чат",
    "filters": "Фільтри",
    "all_when_none": "Якщо нічого не позначено, то всі мови",
    "new_chat": "Новий чат",
    "chars": "символи",
    "sentence": "речення",
    "translations": "Те саме іншими мовами",
    "sources_empty": (
        "Поставте запитання: тут з’являться джерела кожної відповіді, а речення, яке її "
        "підтверджує, буде виділено."
    ),
    "cited": "процитовано",
    "indexing": "Індексування",
    "upload_done": (
        "Індексування завершено. Нові документи: {added}; оновлені: {changed}; без змін: "
        "{unchanged}; фрагменти в індексі: {chunks}."
    ),
    "upload_skipped": "Не проіндексовано: {name}: {reason}",
    "upload_refused": "Відхилено: {name}: {reason}",
    "upload_types": "Формати: {types}",
    "col_document": "Документ",
    "col_title": "Назва",
    "col_language": "Мова",
    "col_chunks": "Фрагменти",
    "col_indexed_at": "Час індексування",
}

NAMES = {
    "en": "англійські", "tr": "турецькі", "hi": "гіндімовні", "de": "німецькі",
    "zh": "китайські", "es": "іспанські", "fr": "французькі", "ru": "російські",
    "ar": "арабські", "ja": "японські", "ko": "корейські", "pt": "португальські",
    "it": "італійські", "nl": "нідерландські", "pl": "польські", "uk": "українські",
    "vi": "в’єтнамські", "id": "індонезійські", "fa": "перські", "sv": "шведські",
}  # fmt: skip

CONJUNCTION = " та "
