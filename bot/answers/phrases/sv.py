"""Swedish. Names are the plural adjectives before "källor" ("i tyska och kinesiska
källor"; Hindi, which has none, "hindispråkiga"). Numbers are labelled ("nya: 3"), as
the adjective would otherwise change with the count."""

PHRASES = {
    "found_in_other": "Svaret finns i {langs} källor; där står det:",
    "not_found": "Jag hittade inget svar på frågan i dokumenten.",
    "nearest": "De närmaste avsnitten är:",
    "sources": "Källor",
    "coverage": "Källor per språk",
    "candidates": "kandidater",
    "ask": "Ställ en fråga på valfritt språk",
    "send": "Fråga",
    "documents": "Dokument",
    "upload": "Lägg till dokument",
    "answer_language": "Svarsspråk",
    "search_languages": "Dokumentspråk att söka i",
    "n_sources": "Antal källor",
    "auto": "automatiskt",
    "examples": "Exempel",
    "indexed": "Indexerade dokument",
    "llm_fallback": "(Språkmodellen svarade inte; det här svaret består av citat ur källorna.)",
    "unsupported": "(stöds inte av källan)",
    "follow_up": "Om ”{subject}”, som fortsättning på din förra fråga:",
    # The chat window (bot/chat/app.py).
    "language_name": "Svenska",
    "ui_language": "Gränssnittsspråk",
    "chat": "Chatt",
    "filters": "Filter",
    "all_when_none": "Alla språk när inget är markerat",
    "new_chat": "Ny chatt",
    "chars": "tecken",
    "sentence": "mening",
    "translations": "Samma sak på andra språk",
    "sources_empty": (
        "Ställ en fråga: källorna till varje svar visas här, med den stödjande meningen markerad."
    ),
    "cited": "citerade",
    "indexing": "Indexerar",
    "upload_done": (
        "Indexeringen är klar. Nya dokument: {added}; uppdaterade: {changed}; oförändrade: "
        "{unchanged}; avsnitt i indexet: {chunks}."
    ),
    "upload_skipped": "Indexerades inte: {name}: {reason}",
    "upload_refused": "Avvisades: {name}: {reason}",
    "upload_types": "Format: {types}",
    "col_document": "Dokument",
    "col_title": "Titel",
    "col_language": "Språk",
    "col_chunks": "Avsnitt",
    "col_indexed_at": "Indexeringstid",
}

NAMES = {
    "en": "engelska", "tr": "turkiska", "hi": "hindispråkiga", "de": "tyska",
    "zh": "kinesiska", "es": "spanska", "fr": "franska", "ru": "ryska", "ar": "arabiska",
    "ja": "japanska", "ko": "koreanska", "pt": "portugisiska", "it": "italienska",
    "nl": "nederländska", "pl": "polska", "uk": "ukrainska", "vi": "vietnamesiska",
    "id": "indonesiska", "fa": "persiska", "sv": "svenska",
}  # fmt: skip

CONJUNCTION = " och "
