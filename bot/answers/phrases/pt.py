"""Portuguese (words common to Brazil and Portugal where they differ little; Brazilian
where they must differ, "polonês"). Names are the language nouns after "fontes em" ("nas
fontes em alemão e chinês"). Numbers are labelled ("documentos novos: 3")."""

PHRASES = {
    "found_in_other": "A resposta aparece nas fontes em {langs}; os trechos dizem:",
    "not_found": "Não encontrei uma resposta para esta pergunta nos documentos.",
    "nearest": "Os trechos mais próximos são:",
    "sources": "Fontes",
    "coverage": "Fontes por idioma",
    "candidates": "candidatos",
    "ask": "Faça uma pergunta em qualquer idioma",
    "send": "Perguntar",
    "documents": "Documentos",
    "upload": "Adicionar documentos",
    "answer_language": "Idioma da resposta",
    "search_languages": "Pesquisar nos idiomas dos documentos",
    "n_sources": "Número de fontes",
    "auto": "automático",
    "examples": "Exemplos",
    "indexed": "Documentos indexados",
    "llm_fallback": (
        "(O modelo de linguagem não respondeu; esta resposta é composta de trechos das fontes.)"
    ),
    "unsupported": "(sem respaldo na fonte)",
    "follow_up": "Sobre “{subject}”, na sequência da sua pergunta anterior:",
    # The chat window (bot/chat/app.py).
    "language_name": "Português",
    "ui_language": "Idioma da interface",
    "chat": "Conversa",
    "filters": "Filtros",
    "all_when_none": "Todos os idiomas quando nenhum estiver marcado",
    "new_chat": "Nova conversa",
    "chars": "caracteres",
    "sentence": "frase",
    "translations": "O mesmo em outros idiomas",
    "sources_empty": (
        "Faça uma pergunta: as fontes de cada resposta aparecem aqui, com a frase que a "
        "fundamenta destacada."
    ),
    "cited": "citadas",
    "indexing": "Indexação",
    "upload_done": (
        "Indexação concluída. Documentos novos: {added}; atualizados: {changed}; "
        "inalterados: {unchanged}; trechos no índice: {chunks}."
    ),
    "upload_skipped": "Não indexado: {name}: {reason}",
    "upload_refused": "Recusado: {name}: {reason}",
    "upload_types": "Formatos: {types}",
    "col_document": "Documento",
    "col_title": "Título",
    "col_language": "Idioma",
    "col_chunks": "Trechos",
    "col_indexed_at": "Indexado em",
}

NAMES = {
    "en": "inglês", "tr": "turco", "hi": "hindi", "de": "alemão", "zh": "chinês",
    "es": "espanhol", "fr": "francês", "ru": "russo", "ar": "árabe", "ja": "japonês",
    "ko": "coreano", "pt": "português", "it": "italiano", "nl": "neerlandês",
    "pl": "polonês", "uk": "ucraniano", "vi": "vietnamita", "id": "indonésio",
    "fa": "persa", "sv": "sueco",
}  # fmt: skip

CONJUNCTION = " e "
