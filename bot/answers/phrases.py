"""Every fixed phrase of answers and of the UI, in every language polyqa speaks, in one place.

A language without a table falls back to English. Keys are shared by the answer composer,
the CLI and the chat window, so a new language is added here and nowhere else.
"""

from __future__ import annotations

FALLBACK = "en"

PHRASES: dict[str, dict[str, str]] = {
    "en": {
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
    },
    "tr": {
        "found_in_other": "Bunun cevabı {langs} kaynaklarda bulunuyor; pasajlar şöyle diyor:",
        "not_found": "Belgelerde bu soruya bir cevap bulamadım.",
        "nearest": "En yakın pasajlar:",
        "sources": "Kaynaklar",
        "coverage": "Dile göre kaynaklar",
        "candidates": "aday",
        "ask": "Herhangi bir dilde bir soru sorun",
        "send": "Sor",
        "documents": "Belgeler",
        "upload": "Belge ekle",
        "answer_language": "Cevap dili",
        "search_languages": "Aranacak belge dilleri",
        "n_sources": "Kaynak sayısı",
        "auto": "otomatik",
        "examples": "Örnekler",
        "indexed": "Dizinlenmiş belgeler",
        "llm_fallback": "(Dil modeli cevap vermedi; bu, alıntılanmış cevaptır.)",
        "unsupported": "(kaynağı tarafından desteklenmiyor)",
        # The chat window (bot/chat/app.py).
        "language_name": "Türkçe",
        "ui_language": "Arayüz dili",
        "chat": "Sohbet",
        "filters": "Filtreler",
        "all_when_none": "Hiçbiri seçili değilse tüm diller",
        "new_chat": "Yeni sohbet",
        "chars": "karakter",
        "sentence": "cümle",
        "translations": "Diğer dillerde aynısı",
        "sources_empty": (
            "Bir soru sorun: her cevabın kaynakları, destekleyen cümle vurgulanmış olarak "
            "burada görünür."
        ),
        "cited": "alıntılandı",
        "indexing": "Dizinleniyor",
        "upload_done": (
            "{added} yeni ve {changed} güncellenmiş belge dizinlendi ({unchanged} değişmedi); "
            "dizinde {chunks} pasaj var."
        ),
        "upload_skipped": "Dizinlenmedi: {name}: {reason}",
        "upload_refused": "Reddedildi: {name}: {reason}",
        "upload_types": "Biçimler: {types}",
        "col_document": "Belge",
        "col_title": "Başlık",
        "col_language": "Dil",
        "col_chunks": "Pasajlar",
        "col_indexed_at": "Dizinlenme zamanı",
    },
    "hi": {
        "found_in_other": "इसका उत्तर {langs} स्रोतों में है; अंश कहते हैं:",
        "not_found": "मुझे दस्तावेज़ों में इस प्रश्न का उत्तर नहीं मिला।",
        "nearest": "सबसे निकट के अंश:",
        "sources": "स्रोत",
        "coverage": "भाषा के अनुसार स्रोत",
        "candidates": "उम्मीदवार",
        "ask": "किसी भी भाषा में प्रश्न पूछें",
        "send": "पूछें",
        "documents": "दस्तावेज़",
        "upload": "दस्तावेज़ जोड़ें",
        "answer_language": "उत्तर की भाषा",
        "search_languages": "दस्तावेज़ों की भाषाएँ जिनमें खोजें",
        "n_sources": "स्रोतों की संख्या",
        "auto": "स्वचालित",
        "examples": "उदाहरण",
        "indexed": "अनुक्रमित दस्तावेज़",
        "llm_fallback": "(भाषा मॉडल ने उत्तर नहीं दिया; यह उद्धृत उत्तर है।)",
        "unsupported": "(इसके स्रोत द्वारा समर्थित नहीं)",
        # The chat window (bot/chat/app.py).
        "language_name": "हिन्दी",
        "ui_language": "इंटरफ़ेस की भाषा",
        "chat": "बातचीत",
        "filters": "फ़िल्टर",
        "all_when_none": "कोई न चुनने पर सभी भाषाएँ",
        "new_chat": "नई बातचीत",
        "chars": "अक्षर",
        "sentence": "वाक्य",
        "translations": "अन्य भाषाओं में यही",
        "sources_empty": "प्रश्न पूछें: हर उत्तर के स्रोत यहाँ दिखेंगे, समर्थन करने वाला वाक्य चिह्नित होगा।",
        "cited": "उद्धृत",
        "indexing": "अनुक्रमण",
        "upload_done": (
            "{added} नए और {changed} बदले हुए दस्तावेज़ अनुक्रमित हुए ({unchanged} "
            "अपरिवर्तित); अनुक्रमणिका में {chunks} अंश हैं।"
        ),
        "upload_skipped": "अनुक्रमित नहीं: {name}: {reason}",
        "upload_refused": "अस्वीकृत: {name}: {reason}",
        "upload_types": "प्रारूप: {types}",
        "col_document": "दस्तावेज़",
        "col_title": "शीर्षक",
        "col_language": "भाषा",
        "col_chunks": "अंश",
        "col_indexed_at": "अनुक्रमण का समय",
    },
    "de": {
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
    },
    "zh": {
        "found_in_other": "答案出自{langs}資料；原文如下：",
        "not_found": "我在文件中找不到這個問題的答案。",
        "nearest": "最相近的段落：",
        "sources": "來源",
        "coverage": "來源語言分佈",
        "candidates": "候選",
        "ask": "用任何語言提問",
        "send": "提問",
        "documents": "文件",
        "upload": "新增文件",
        "answer_language": "回答語言",
        "search_languages": "搜尋的文件語言",
        "n_sources": "來源數量",
        "auto": "自動",
        "examples": "範例",
        "indexed": "已索引的文件",
        "llm_fallback": "（語言模型沒有回應；以下為摘錄式回答。）",
        "unsupported": "（來源不支持此句）",
        # The chat window (bot/chat/app.py).
        "language_name": "中文",
        "ui_language": "介面語言",
        "chat": "對話",
        "filters": "篩選",
        "all_when_none": "未勾選時搜尋所有語言",
        "new_chat": "新對話",
        "chars": "字元",
        "sentence": "句子",
        "translations": "其他語言的相同內容",
        "sources_empty": "提出問題：每個回答的來源會顯示在這裡，並標示支持的句子。",
        "cited": "已引用",
        "indexing": "正在索引",
        "upload_done": (
            "已索引 {added} 份新文件與 {changed} 份更新文件（{unchanged} 份未變更）；"
            "索引共有 {chunks} 個段落。"
        ),
        "upload_skipped": "未索引：{name}：{reason}",
        "upload_refused": "已拒絕：{name}：{reason}",
        "upload_types": "格式：{types}",
        "col_document": "文件",
        "col_title": "標題",
        "col_language": "語言",
        "col_chunks": "段落",
        "col_indexed_at": "索引時間",
    },
    "es": {
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
        "cited": "citado",
        "indexing": "Indexando",
        "upload_done": (
            "Indexados {added} documentos nuevos y {changed} actualizados ({unchanged} sin "
            "cambios); el índice tiene {chunks} pasajes."
        ),
        "upload_skipped": "No indexado: {name}: {reason}",
        "upload_refused": "Rechazado: {name}: {reason}",
        "upload_types": "Formatos: {types}",
        "col_document": "Documento",
        "col_title": "Título",
        "col_language": "Idioma",
        "col_chunks": "Pasajes",
        "col_indexed_at": "Indexado el",
    },
    "fr": {
        "found_in_other": (
            "La réponse se trouve dans des sources en {langs} ; les passages disent :"
        ),
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
        "cited": "cité",
        "indexing": "Indexation",
        "upload_done": (
            "{added} nouveaux documents et {changed} mis à jour indexés ({unchanged} "
            "inchangés) ; l'index contient {chunks} passages."
        ),
        "upload_skipped": "Non indexé : {name} : {reason}",
        "upload_refused": "Refusé : {name} : {reason}",
        "upload_types": "Formats : {types}",
        "col_document": "Document",
        "col_title": "Titre",
        "col_language": "Langue",
        "col_chunks": "Passages",
        "col_indexed_at": "Indexé le",
    },
}

# Language names as written in each answer language (adjective forms fit the phrases).
LANG_NAMES: dict[str, dict[str, str]] = {
    "en": {"en": "English", "tr": "Turkish", "hi": "Hindi", "de": "German", "zh": "Chinese",
           "es": "Spanish", "fr": "French"},
    "tr": {"en": "İngilizce", "tr": "Türkçe", "hi": "Hintçe", "de": "Almanca", "zh": "Çince",
           "es": "İspanyolca", "fr": "Fransızca"},
    "hi": {"en": "अंग्रेज़ी", "tr": "तुर्की", "hi": "हिन्दी", "de": "जर्मन", "zh": "चीनी",
           "es": "स्पेनिश", "fr": "फ़्रांसीसी"},
    "de": {"en": "englischen", "tr": "türkischen", "hi": "hindisprachigen", "de": "deutschen",
           "zh": "chinesischen", "es": "spanischen", "fr": "französischen"},
    "zh": {"en": "英文", "tr": "土耳其文", "hi": "印地文", "de": "德文", "zh": "中文",
           "es": "西班牙文", "fr": "法文"},
    "es": {"en": "inglés", "tr": "turco", "hi": "hindi", "de": "alemán", "zh": "chino",
           "es": "español", "fr": "francés"},
    "fr": {"en": "anglais", "tr": "turc", "hi": "hindi", "de": "allemand", "zh": "chinois",
           "es": "espagnol", "fr": "français"},
}  # fmt: skip

CONJUNCTION = {"en": " and ", "tr": " ve ", "hi": " और ", "de": " und ", "zh": "和",
               "es": " y ", "fr": " et "}  # fmt: skip


def phrase_lang(lang: str) -> str:
    """The language whose phrases are used for ``lang`` (English when there is no table)."""
    return lang if lang in PHRASES else FALLBACK


def t(key: str, lang: str, **values: str) -> str:
    """The phrase ``key`` in ``lang`` (or English), with ``{placeholders}`` filled."""
    text = PHRASES[phrase_lang(lang)][key]
    return text.format(**values) if values else text


def lang_name(code: str, in_lang: str) -> str:
    return LANG_NAMES[phrase_lang(in_lang)].get(code, code)


def lang_list(codes: list[str], in_lang: str) -> str:
    """ "German and Chinese", "Almanca ve Çince", ... in the answer's language."""
    names = [lang_name(c, in_lang) for c in codes]
    if len(names) <= 1:
        return "".join(names)
    sep = "、" if phrase_lang(in_lang) == "zh" else ", "
    return sep.join(names[:-1]) + CONJUNCTION[phrase_lang(in_lang)] + names[-1]
