"""Spanish. Names are the language nouns after "fuentes en" ("en alemán y chino"); "y"
becomes "e" before a name that starts with the sound i ("e inglés", "e hindi")."""

PHRASES = {
    "found_in_other": "La respuesta está en fuentes en {langs}; los pasajes dicen:",
    "not_found": "No encontré una respuesta a esta pregunta en los documentos.",
    "nearest": "Los pasajes más cercanos son:",
    "sources": "Fuentes",
    "coverage": "Fuentes por idioma",
    "candidates": "candidatos",
    "ask": "Haga una pregunta en cualquier idioma",
    "send": "Preguntar",
    "documents": "Documentos",
    "upload": "Añadir documentos",
    "answer_language": "Idioma de la respuesta",
    "search_languages": "Buscar en los idiomas de los documentos",
    "n_sources": "Número de fuentes",
    "auto": "automático",
    "examples": "Ejemplos",
    "indexed": "Documentos indexados",
    "llm_fallback": "(El modelo de lenguaje no respondió; esta es la respuesta extractiva.)",
    "unsupported": "(no respaldado por su fuente)",
    "follow_up": "Sobre «{subject}», a continuación de su pregunta anterior:",
    # The chat window (bot/chat/app.py).
    "language_name": "Español",
    "ui_language": "Idioma de la interfaz",
    "chat": "Chat",
    "filters": "Filtros",
    "all_when_none": "Todos los idiomas si no se marca ninguno",
    "new_chat": "Nuevo chat",
    "chars": "caracteres",
    "sentence": "oración",
    "translations": "Lo mismo en otros idiomas",
    "sources_empty": (
        "Haga una pregunta: las fuentes de cada respuesta aparecen aquí, con la oración "
        "que la respalda resaltada."
    ),
    "cited": "citadas",
    "indexing": "Indexando",
    "upload_done": (
        "Indexación terminada. Documentos nuevos: {added}; actualizados: {changed}; sin "
        "cambios: {unchanged}; pasajes en el índice: {chunks}."
    ),
    "upload_skipped": "No indexado: {name}: {reason}",
    "upload_refused": "Rechazado: {name}: {reason}",
    "upload_types": "Formatos: {types}",
    "col_document": "Documento",
    "col_title": "Título",
    "col_language": "Idioma",
    "col_chunks": "Pasajes",
    "col_indexed_at": "Indexado el",
}

NAMES = {
    "en": "inglés", "tr": "turco", "hi": "hindi", "de": "alemán", "zh": "chino",
    "es": "español", "fr": "francés", "ru": "ruso", "ar": "árabe", "ja": "japonés",
    "ko": "coreano", "pt": "portugués", "it": "italiano", "nl": "neerlandés",
    "pl": "polaco", "uk": "ucraniano", "vi": "vietnamita", "id": "indonesio",
    "fa": "persa", "sv": "sueco",
}  # fmt: skip

CONJUNCTION = " y "
CONJUNCTION_BEFORE = {"en": " e ", "hi": " e ", "it": " e ", "id": " e "}
