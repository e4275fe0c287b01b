"""Hindi. Names are the language adjectives, which stand before "स्रोतों में" unchanged
("जर्मन और चीनी स्रोतों में")."""

PHRASES = {
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
    "follow_up": "आपके पिछले प्रश्न के क्रम में, “{subject}” के बारे में:",
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
}

NAMES = {
    "en": "अंग्रेज़ी", "tr": "तुर्की", "hi": "हिन्दी", "de": "जर्मन", "zh": "चीनी",
    "es": "स्पेनिश", "fr": "फ़्रांसीसी", "ru": "रूसी", "ar": "अरबी", "ja": "जापानी",
    "ko": "कोरियाई", "pt": "पुर्तगाली", "it": "इतालवी", "nl": "डच", "pl": "पोलिश",
    "uk": "यूक्रेनी", "vi": "वियतनामी", "id": "इंडोनेशियाई", "fa": "फ़ारसी", "sv": "स्वीडिश",
}  # fmt: skip

CONJUNCTION = " और "
