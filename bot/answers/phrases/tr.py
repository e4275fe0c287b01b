"""Turkish. Names are the language names in -ce/-ca, which stand before "kaynaklarda"
as they are ("Almanca ve Çince kaynaklarda")."""

PHRASES = {
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
    "follow_up": "Önceki sorunuzun devamı olarak, “{subject}” hakkında:",
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
}

NAMES = {
    "en": "İngilizce", "tr": "Türkçe", "hi": "Hintçe", "de": "Almanca", "zh": "Çince",
    "es": "İspanyolca", "fr": "Fransızca", "ru": "Rusça", "ar": "Arapça", "ja": "Japonca",
    "ko": "Korece", "pt": "Portekizce", "it": "İtalyanca", "nl": "Felemenkçe",
    "pl": "Lehçe", "uk": "Ukraynaca", "vi": "Vietnamca", "id": "Endonezce", "fa": "Farsça",
    "sv": "İsveççe",
}  # fmt: skip

CONJUNCTION = " ve "
