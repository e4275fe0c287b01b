"""Korean. Names are "…어", which take "자료" as they are ("독일어와 중국어 자료"); every
name ends in a vowel, so the pair particle is "와" (not "과"), and three or more are
listed with commas only ("영어, 독일어, 중국어"). The phrase starts with the names, and
counts take the counter "개" ("새 문서 3개")."""

PHRASES = {
    "found_in_other": "{langs} 자료에서 답을 찾았습니다. 해당 구절은 다음과 같습니다:",
    "not_found": "문서에서 이 질문에 대한 답을 찾지 못했습니다.",
    "nearest": "가장 가까운 구절:",
    "sources": "출처",
    "coverage": "언어별 출처",
    "candidates": "후보",
    "ask": "어떤 언어로든 질문하세요",
    "send": "질문하기",
    "documents": "문서",
    "upload": "문서 추가",
    "answer_language": "답변 언어",
    "search_languages": "검색할 문서 언어",
    "n_sources": "출처 수",
    "auto": "자동",
    "examples": "예시",
    "indexed": "색인된 문서",
    "llm_fallback": "(언어 모델이 응답하지 않아 출처에서 발췌한 답변을 보여 드립니다.)",
    "unsupported": "(출처에서 뒷받침되지 않음)",
    "follow_up": "이전 질문에 이어, “{subject}”에 대해:",
    # The chat window (bot/chat/app.py).
    "language_name": "한국어",
    "ui_language": "인터페이스 언어",
    "chat": "채팅",
    "filters": "필터",
    "all_when_none": "아무것도 선택하지 않으면 모든 언어",
    "new_chat": "새 채팅",
    "chars": "문자",
    "sentence": "문장",
    "translations": "다른 언어로 된 같은 내용",
    "sources_empty": "질문하면 각 답변의 출처가 여기에 표시되고, 근거가 되는 문장이 강조됩니다.",
    "cited": "인용됨",
    "indexing": "색인 중",
    "upload_done": (
        "새 문서 {added}개와 변경된 문서 {changed}개를 색인했습니다(변경 없음 {unchanged}개). "
        "색인에는 구절이 {chunks}개 있습니다."
    ),
    "upload_skipped": "색인되지 않음: {name}: {reason}",
    "upload_refused": "거부됨: {name}: {reason}",
    "upload_types": "형식: {types}",
    "col_document": "문서",
    "col_title": "제목",
    "col_language": "언어",
    "col_chunks": "구절",
    "col_indexed_at": "색인 시각",
}

NAMES = {
    "en": "영어", "tr": "터키어", "hi": "힌디어", "de": "독일어", "zh": "중국어",
    "es": "스페인어", "fr": "프랑스어", "ru": "러시아어", "ar": "아랍어", "ja": "일본어",
    "ko": "한국어", "pt": "포르투갈어", "it": "이탈리아어", "nl": "네덜란드어",
    "pl": "폴란드어", "uk": "우크라이나어", "vi": "베트남어", "id": "인도네시아어",
    "fa": "페르시아어", "sv": "스웨덴어",
}  # fmt: skip

CONJUNCTION = "와 "
SERIAL = ", "
