"""Italian. Names are the language nouns after "fonti in" ("nelle fonti in tedesco e
cinese"). Numbers are labelled ("documenti nuovi: 3")."""

PHRASES = {
    "found_in_other": "La risposta si trova nelle fonti in {langs}; ecco i passaggi:",
    "not_found": "Non ho trovato una risposta a questa domanda nei documenti.",
    "nearest": "I passaggi più vicini sono:",
    "sources": "Fonti",
    "coverage": "Fonti per lingua",
    "candidates": "candidati",
    "ask": "Fai una domanda in qualsiasi lingua",
    "send": "Chiedi",
    "documents": "Documenti",
    "upload": "Aggiungi documenti",
    "answer_language": "Lingua della risposta",
    "search_languages": "Cerca nelle lingue dei documenti",
    "n_sources": "Numero di fonti",
    "auto": "automatica",
    "examples": "Esempi",
    "indexed": "Documenti indicizzati",
    "llm_fallback": (
        "(Il modello linguistico non ha risposto; questa risposta è composta da passaggi "
        "delle fonti.)"
    ),
    "unsupported": "(non supportato dalla fonte)",
    "follow_up": "A proposito di “{subject}”, in seguito alla sua domanda precedente:",
    # The chat window (bot/chat/app.py).
    "language_name": "Italiano",
    "ui_language": "Lingua dell'interfaccia",
    "chat": "Chat",
    "filters": "Filtri",
    "all_when_none": "Tutte le lingue se non ne è selezionata nessuna",
    "new_chat": "Nuova chat",
    "chars": "caratteri",
    "sentence": "frase",
    "translations": "Lo stesso in altre lingue",
    "sources_empty": (
        "Fai una domanda: qui compaiono le fonti di ogni risposta, con la frase che la "
        "sostiene evidenziata."
    ),
    "cited": "citate",
    "indexing": "Indicizzazione",
    "upload_done": (
        "Indicizzazione completata. Documenti nuovi: {added}; aggiornati: {changed}; "
        "invariati: {unchanged}; passaggi nell'indice: {chunks}."
    ),
    "upload_skipped": "Non indicizzato: {name}: {reason}",
    "upload_refused": "Rifiutato: {name}: {reason}",
    "upload_types": "Formati: {types}",
    "col_document": "Documento",
    "col_title": "Titolo",
    "col_language": "Lingua",
    "col_chunks": "Passaggi",
    "col_indexed_at": "Indicizzato il",
}

NAMES = {
    "en": "inglese", "tr": "turco", "hi": "hindi", "de": "tedesco", "zh": "cinese",
    "es": "spagnolo", "fr": "francese", "ru": "russo", "ar": "arabo", "ja": "giapponese",
    "ko": "coreano", "pt": "portoghese", "it": "italiano", "nl": "olandese",
    "pl": "polacco", "uk": "ucraino", "vi": "vietnamita", "id": "indonesiano",
    "fa": "persiano", "sv": "svedese",
}  # fmt: skip

CONJUNCTION = " e "
