"""Dutch. Names are the capitalised adjectives before "bronnen" ("in Duitse en Chinese
bronnen"; Hindi, which has none, "Hinditalige"). Numbers are labelled ("nieuw: 3")."""

PHRASES = {
    "found_in_other": "Het antwoord staat in {langs} bronnen; de passages luiden:",
    "not_found": "Ik heb in de documenten geen antwoord op deze vraag gevonden.",
    "nearest": "De passages die het dichtst in de buurt komen:",
    "sources": "Bronnen",
    "coverage": "Bronnen per taal",
    "candidates": "kandidaten",
    "ask": "Stel een vraag in een willekeurige taal",
    "send": "Vragen",
    "documents": "Documenten",
    "upload": "Documenten toevoegen",
    "answer_language": "Taal van het antwoord",
    "search_languages": "Zoeken in documenttalen",
    "n_sources": "Aantal bronnen",
    "auto": "automatisch",
    "examples": "Voorbeelden",
    "indexed": "Geïndexeerde documenten",
    "llm_fallback": (
        "(Het taalmodel antwoordde niet; dit antwoord bestaat uit citaten uit de bronnen.)"
    ),
    "unsupported": "(niet gestaafd door de bron)",
    "follow_up": "Over ‘{subject}’, in aansluiting op uw vorige vraag:",
    # The chat window (bot/chat/app.py).
    "language_name": "Nederlands",
    "ui_language": "Taal van de interface",
    "chat": "Chat",
    "filters": "Filters",
    "all_when_none": "Alle talen als er geen is aangevinkt",
    "new_chat": "Nieuwe chat",
    "chars": "tekens",
    "sentence": "zin",
    "translations": "Hetzelfde in andere talen",
    "sources_empty": (
        "Stel een vraag: hier verschijnen de bronnen van elk antwoord, met de onderbouwende "
        "zin gemarkeerd."
    ),
    "cited": "geciteerd",
    "indexing": "Indexeren",
    "upload_done": (
        "Indexeren voltooid. Nieuwe documenten: {added}; bijgewerkt: {changed}; "
        "ongewijzigd: {unchanged}; passages in de index: {chunks}."
    ),
    "upload_skipped": "Niet geïndexeerd: {name}: {reason}",
    "upload_refused": "Geweigerd: {name}: {reason}",
    "upload_types": "Formaten: {types}",
    "col_document": "Document",
    "col_title": "Titel",
    "col_language": "Taal",
    "col_chunks": "Passages",
    "col_indexed_at": "Geïndexeerd op",
}

NAMES = {
    "en": "Engelse", "tr": "Turkse", "hi": "Hinditalige", "de": "Duitse", "zh": "Chinese",
    "es": "Spaanse", "fr": "Franse", "ru": "Russische", "ar": "Arabische", "ja": "Japanse",
    "ko": "Koreaanse", "pt": "Portugese", "it": "Italiaanse", "nl": "Nederlandse",
    "pl": "Poolse", "uk": "Oekraïense", "vi": "Vietnamese", "id": "Indonesische",
    "fa": "Perzische", "sv": "Zweedse",
}  # fmt: skip

CONJUNCTION = " en "
