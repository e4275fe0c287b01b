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
