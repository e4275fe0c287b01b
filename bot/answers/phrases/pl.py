"""Polish. Names are the adverbs "po niemiecku", "po chińsku" (and "w hindi", which has
none), each with its own preposition, after "w źródłach": no "w/we" has to change with
the next word and Hindi needs no adjective. Numbers are labelled ("nowe dokumenty: 3")
and phrases avoid the speaker's gender ("nie znaleziono")."""

PHRASES = {
    "found_in_other": "Odpowiedź znajduje się w źródłach {langs}; oto odpowiednie fragmenty:",
    "not_found": "W dokumentach nie znaleziono odpowiedzi na to pytanie.",
    "nearest": "Najbliższe fragmenty:",
    "sources": "Źródła",
    "coverage": "Źródła według języka",
    "candidates": "kandydaci",
    "ask": "Zadaj pytanie w dowolnym języku",
    "send": "Zapytaj",
    "documents": "Dokumenty",
    "upload": "Dodaj dokumenty",
    "answer_language": "Język odpowiedzi",
    "search_languages": "Języki przeszukiwanych dokumentów",
    "n_sources": "Liczba źródeł",
    "auto": "automatycznie",
    "examples": "Przykłady",
    "indexed": "Zaindeksowane dokumenty",
    "llm_fallback": "(Model językowy nie odpowiedział; to odpowiedź złożona z cytatów.)",
    "unsupported": "(niepotwierdzone przez źródło)",
    "follow_up": "O „{subject}”, w nawiązaniu do poprzedniego pytania:",
    # The chat window (bot/chat/app.py).
    "language_name": "Polski",
    "ui_language": "Język interfejsu",
    "chat": "Czat",
    "filters": "Filtry",
    "all_when_none": "Wszystkie języki, jeśli żaden nie jest zaznaczony",
    "new_chat": "Nowy czat",
    "chars": "znaki",
    "sentence": "zdanie",
    "translations": "To samo w innych językach",
    "sources_empty": (
        "Zadaj pytanie: tutaj pojawią się źródła każdej odpowiedzi z wyróżnionym zdaniem, "
        "które ją potwierdza."
    ),
    "cited": "cytowane",
    "indexing": "Indeksowanie",
    "upload_done": (
        "Indeksowanie zakończone. Nowe dokumenty: {added}; zmienione: {changed}; bez zmian: "
        "{unchanged}; fragmenty w indeksie: {chunks}."
    ),
    "upload_skipped": "Nie zaindeksowano: {name}: {reason}",
    "upload_refused": "Odrzucono: {name}: {reason}",
    "upload_types": "Formaty: {types}",
    "col_document": "Dokument",
    "col_title": "Tytuł",
    "col_language": "Język",
    "col_chunks": "Fragmenty",
    "col_indexed_at": "Data indeksowania",
}

NAMES = {
    "en": "po angielsku", "tr": "po turecku", "hi": "w hindi", "de": "po niemiecku",
    "zh": "po chińsku", "es": "po hiszpańsku", "fr": "po francusku", "ru": "po rosyjsku",
    "ar": "po arabsku", "ja": "po japońsku", "ko": "po koreańsku", "pt": "po portugalsku",
    "it": "po włosku", "nl": "po niderlandzku", "pl": "po polsku", "uk": "po ukraińsku",
    "vi": "po wietnamsku", "id": "po indonezyjsku", "fa": "po persku", "sv": "po szwedzku",
}  # fmt: skip

CONJUNCTION = " i "
