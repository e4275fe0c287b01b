"""German. Names are adjectives in the dative plural, as "in … Quellen" needs them
("in deutschen und chinesischen Quellen"); Hindi has no adjective, so "hindisprachigen"."""

PHRASES = {
    "found_in_other": "Die Antwort steht in {langs} Quellen; dort heißt es:",
    "not_found": "Ich habe in den Dokumenten keine Antwort auf diese Frage gefunden.",
    "nearest": "Die nächstliegenden Passagen sind:",
    "sources": "Quellen",
    "coverage": "Quellen nach Sprache",
    "candidates": "Kandidaten",
    "ask": "Stellen Sie eine Frage in einer beliebigen Sprache",
    "send": "Fragen",
    "documents": "Dokumente",
    "upload": "Dokumente hinzufügen",
    "answer_language": "Antwortsprache",
    "search_languages": "In Dokumentsprachen suchen",
    "n_sources": "Anzahl der Quellen",
    "auto": "automatisch",
    "examples": "Beispiele",
    "indexed": "Indizierte Dokumente",
    "llm_fallback": "(Das Sprachmodell hat nicht geantwortet; dies ist die zitierte Antwort.)",
    "unsupported": "(von der Quelle nicht gestützt)",
    "follow_up": "Zu „{subject}“, im Anschluss an Ihre vorige Frage:",
    # The chat window (bot/chat/app.py).
    "language_name": "Deutsch",
    "ui_language": "Sprache der Oberfläche",
    "chat": "Chat",
    "filters": "Filter",
    "all_when_none": "Alle Sprachen, wenn keine angekreuzt ist",
    "new_chat": "Neuer Chat",
    "chars": "Zeichen",
    "sentence": "Satz",
    "translations": "Dasselbe in anderen Sprachen",
    "sources_empty": (
        "Stellen Sie eine Frage: Die Quellen jeder Antwort erscheinen hier, der belegende "
        "Satz hervorgehoben."
    ),
    "cited": "zitiert",
    "indexing": "Indizierung",
    "upload_done": (
        "{added} neue und {changed} geänderte Dokumente indiziert ({unchanged} "
        "unverändert); der Index enthält {chunks} Passagen."
    ),
    "upload_skipped": "Nicht indiziert: {name}: {reason}",
    "upload_refused": "Abgelehnt: {name}: {reason}",
    "upload_types": "Formate: {types}",
    "col_document": "Dokument",
    "col_title": "Titel",
    "col_language": "Sprache",
    "col_chunks": "Passagen",
    "col_indexed_at": "Indiziert am",
}

NAMES = {
    "en": "englischen", "tr": "türkischen", "hi": "hindisprachigen", "de": "deutschen",
    "zh": "chinesischen", "es": "spanischen", "fr": "französischen", "ru": "russischen",
    "ar": "arabischen", "ja": "japanischen", "ko": "koreanischen", "pt": "portugiesischen",
    "it": "italienischen", "nl": "niederländischen", "pl": "polnischen",
    "uk": "ukrainischen", "vi": "vietnamesischen", "id": "indonesischen",
    "fa": "persischen", "sv": "schwedischen",
}  # fmt: skip

CONJUNCTION = " und "
