"""Russian. Names are adjectives in the prepositional case after "на", the language
("языке") understood: "в источниках на немецком и китайском"; "хинди" does not decline.
Phrases avoid the speaker's gender ("не нашлось", not "не нашёл") and numbers are
labelled ("новые документы: 3"), so no noun has to agree with a count."""

PHRASES = {
    "found_in_other": "Ответ нашёлся в источниках на {langs}; вот что в них сказано:",
    "not_found": "В документах не нашлось ответа на этот вопрос.",
    "nearest": "Ближайшие фрагменты:",
    "sources": "Источники",
    "coverage": "Источники по языкам",
    "candidates": "кандидаты",
    "ask": "Задайте вопрос на любом языке",
    "send": "Спросить",
    "documents": "Документы",
    "upload": "Добавить документы",
    "answer_language": "Язык ответа",
    "search_languages": "Языки документов для поиска",
    "n_sources": "Количество источников",
    "auto": "автоматически",
    "examples": "Примеры",
    "indexed": "Проиндексированные документы",
    "llm_fallback": "(Языковая модель не ответила; это ответ, составленный из цитат.)",
    "unsupported": "(не подтверждается источником)",
    "follow_up": "О «{subject}», в продолжение вашего предыдущего вопроса:",
    # The chat window (bot/chat/app.py).
    "language_name": "Русский",
    "ui_language": "Язык интерфейса",
    "chat": "Чат",
    "filters": "Фильтры",
    "all_when_none": "Если ничего не отмечено, то все языки",
    "new_chat": "Новый чат",
    "chars": "символы",
    "sentence": "предложение",
    "translations": "То же на других языках",
    "sources_empty": (
        "Задайте вопрос: здесь появятся источники каждого ответа, а подтверждающее его "
        "предложение будет выделено."
    ),
    "cited": "процитированы",
    "indexing": "Индексация",
    "upload_done": (
        "Индексация завершена. Новые документы: {added}; обновлённые: {changed}; без "
        "изменений: {unchanged}; фрагменты в индексе: {chunks}."
    ),
    "upload_skipped": "Не проиндексировано: {name}: {reason}",
    "upload_refused": "Отклонено: {name}: {reason}",
    "upload_types": "Форматы: {types}",
    "col_document": "Документ",
    "col_title": "Название",
    "col_language": "Язык",
    "col_chunks": "Фрагменты",
    "col_indexed_at": "Время индексации",
}

NAMES = {
    "en": "английском", "tr": "турецком", "hi": "хинди", "de": "немецком",
    "zh": "китайском", "es": "испанском", "fr": "французском", "ru": "русском",
    "ar": "арабском", "ja": "японском", "ko": "корейском", "pt": "португальском",
    "it": "итальянском", "nl": "нидерландском", "pl": "польском", "uk": "украинском",
    "vi": "вьетнамском", "id": "индонезийском", "fa": "персидском", "sv": "шведском",
}  # fmt: skip

CONJUNCTION = " и "
