"""French. Names carry their "en", repeated for each language as French wants it
("dans des sources en allemand et en chinois")."""

PHRASES = {
    "found_in_other": "La réponse se trouve dans des sources {langs} ; en voici les passages :",
    "not_found": "Je n'ai pas trouvé de réponse à cette question dans les documents.",
    "nearest": "Les passages les plus proches sont :",
    "sources": "Sources",
    "coverage": "Sources par langue",
    "candidates": "candidats",
    "ask": "Posez une question dans n'importe quelle langue",
    "send": "Demander",
    "documents": "Documents",
    "upload": "Ajouter des documents",
    "answer_language": "Langue de la réponse",
    "search_languages": "Chercher dans les langues des documents",
    "n_sources": "Nombre de sources",
    "auto": "automatique",
    "examples": "Exemples",
    "indexed": "Documents indexés",
    "llm_fallback": "(Le modèle de langue n'a pas répondu ; voici la réponse extractive.)",
    "unsupported": "(non étayé par sa source)",
    "follow_up": "À propos de « {subject} », suite à votre question précédente :",
    # The chat window (bot/chat/app.py).
    "language_name": "Français",
    "ui_language": "Langue de l'interface",
    "chat": "Discussion",
    "filters": "Filtres",
    "all_when_none": "Toutes les langues si aucune n'est cochée",
    "new_chat": "Nouvelle discussion",
    "chars": "caractères",
    "sentence": "phrase",
    "translations": "La même chose dans d'autres langues",
    "sources_empty": (
        "Posez une question : les sources de chaque réponse apparaissent ici, la phrase "
        "qui l'étaye surlignée."
    ),
    "cited": "citées",
    "indexing": "Indexation",
    "upload_done": (
        "Indexation terminée. Nouveaux documents : {added} ; mis à jour : {changed} ; "
        "inchangés : {unchanged} ; passages dans l'index : {chunks}."
    ),
    "upload_skipped": "Non indexé : {name} : {reason}",
    "upload_refused": "Refusé : {name} : {reason}",
    "upload_types": "Formats : {types}",
    "col_document": "Document",
    "col_title": "Titre",
    "col_language": "Langue",
    "col_chunks": "Passages",
    "col_indexed_at": "Indexé le",
}

NAMES = {
    "en": "en anglais", "tr": "en turc", "hi": "en hindi", "de": "en allemand",
    "zh": "en chinois", "es": "en espagnol", "fr": "en français", "ru": "en russe",
    "ar": "en arabe", "ja": "en japonais", "ko": "en coréen", "pt": "en portugais",
    "it": "en italien", "nl": "en néerlandais", "pl": "en polonais", "uk": "en ukrainien",
    "vi": "en vietnamien", "id": "en indonésien", "fa": "en persan", "sv": "en suédois",
}  # fmt: skip

CONJUNCTION = " et "
