"""English, the fallback for every language without a table. Names are the plain
language names, which are also the adjectives of "in German and Chinese sources"."""

PHRASES = {
    "found_in_other": "This is answered in {langs} sources; the passages say:",
    "not_found": "I could not find an answer to this in the documents.",
    "nearest": "The nearest passages are:",
    "sources": "Sources",
    "coverage": "Sources by language",
    "candidates": "candidates",
    "ask": "Ask a question in any language",
    "send": "Ask",
    "documents": "Documents",
    "upload": "Add documents",
    "answer_language": "Answer language",
    "search_languages": "Search in document languages",
    "n_sources": "Number of sources",
    "auto": "automatic",
    "examples": "Examples",
    "indexed": "Indexed documents",
    "llm_fallback": "(The language model did not answer; this is the extractive answer.)",
    "unsupported": "(unsupported by its source)",
    "follow_up": "About “{subject}”, following your previous question:",
    # The chat window (bot/chat/app.py).
    "language_name": "English",
    "ui_language": "Interface language",
    "chat": "Chat",
    "filters": "Filters",
    "all_when_none": "All languages when none is ticked",
    "new_chat": "New chat",
    "chars": "characters",
    "sentence": "sentence",
    "translations": "The same in other languages",
    "sources_empty": (
        "Ask a question: the sources of each answer appear here, with the supporting "
        "sentence highlighted."
    ),
    "cited": "cited",
    "indexing": "Indexing",
    "upload_done": (
        "Indexed {added} new and {changed} updated documents ({unchanged} unchanged); the "
        "index holds {chunks} passages."
    ),
    "upload_skipped": "Not indexed: {name}: {reason}",
    "upload_refused": "Refused: {name}: {reason}",
    "upload_types": "Formats: {types}",
    "col_document": "Document",
    "col_title": "Title",
    "col_language": "Language",
    "col_chunks": "Passages",
    "col_indexed_at": "Indexed at",
}

NAMES = {
    "en": "English", "tr": "Turkish", "hi": "Hindi", "de": "German", "zh": "Chinese",
    "es": "Spanish", "fr": "French", "ru": "Russian", "ar": "Arabic", "ja": "Japanese",
    "ko": "Korean", "pt": "Portuguese", "it": "Italian", "nl": "Dutch", "pl": "Polish",
    "uk": "Ukrainian", "vi": "Vietnamese", "id": "Indonesian", "fa": "Persian",
    "sv": "Swedish",
}  # fmt: skip

CONJUNCTION = " and "
