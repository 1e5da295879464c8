"""The languages a report can be written in: ISO 639-1 codes with their English and native
names.

A report's language travels in ``ReportInput.language`` as a BCP-47 tag whose primary
subtag is a code of :data:`LANGUAGES` ("de", "pt-BR", "zh-Hant"); "" (inputs written
before the option) means no instruction to the model at all. The client validates the tag
(``research.language``), the prompts name the language by :func:`language_name`.

The report's fixed labels (References, Research notes, "What changed since the last run",
the checker's ``[unverified]``) stay in English whatever the language: the tool reads them
back (the checker's markers, a schedule's previous report), so each has one spelling.
"""

from __future__ import annotations

# ISO 639-1 code -> (English name, native name). The languages today's LLMs write well,
# and every one the question's detector (fastText's lid.176) commonly returns for them.
LANGUAGES: dict[str, tuple[str, str]] = {
    "af": ("Afrikaans", "Afrikaans"), "am": ("Amharic", "አማርኛ"),
    "ar": ("Arabic", "العربية"), "az": ("Azerbaijani", "azərbaycan"),
    "be": ("Belarusian", "беларуская"), "bg": ("Bulgarian", "български"),
    "bn": ("Bengali", "বাংলা"), "bs": ("Bosnian", "bosanski"),
    "ca": ("Catalan", "català"), "cs": ("Czech", "čeština"),
    "cy": ("Welsh", "Cymraeg"), "da": ("Danish", "dansk"),
    "de": ("German", "Deutsch"), "el": ("Greek", "Ελληνικά"),
    "en": ("English", "English"), "eo": ("Esperanto", "Esperanto"),
    "es": ("Spanish", "español"), "et": ("Estonian", "eesti"),
    "eu": ("Basque", "euskara"), "fa": ("Persian", "فارسی"),
    "fi": ("Finnish", "suomi"), "fr": ("French", "français"),
    "ga": ("Irish", "Gaeilge"), "gl": ("Galician", "galego"),
    "gu": ("Gujarati", "ગુજરાતી"), "he": ("Hebrew", "עברית"),
    "hi": ("Hindi", "हिन्दी"), "hr": ("Croatian", "hrvatski"),
    "hu": ("Hungarian", "magyar"), "hy": ("Armenian", "հայերեն"),
    "id": ("Indonesian", "Bahasa Indonesia"), "is": ("Icelandic", "íslenska"),
    "it": ("Italian", "italiano"), "ja": ("Japanese", "日本語"),
    "ka": ("Georgian", "ქართული"), "kk": ("Kazakh", "қазақ тілі"),
    "km": ("Khmer", "ខ្មែរ"), "kn": ("Kannada", "ಕನ್ನಡ"),
    "ko": ("Korean", "한국어"), "lo": ("Lao", "ລາວ"),
    "lt": ("Lithuanian", "lietuvių"), "lv": ("Latvian", "latviešu"),
    "mk": ("Macedonian", "македонски"), "ml": ("Malayalam", "മലയാളം"),
    "mn": ("Mongolian", "монгол"), "mr": ("Marathi", "मराठी"),
    "ms": ("Malay", "Bahasa Melayu"), "my": ("Burmese", "မြန်မာ"),
    "ne": ("Nepali", "नेपाली"), "nl": ("Dutch", "Nederlands"),
    "no": ("Norwegian", "norsk"), "pa": ("Punjabi", "ਪੰਜਾਬੀ"),
    "pl": ("Polish", "polski"), "pt": ("Portuguese", "português"),
    "ro": ("Romanian", "română"), "ru": ("Russian", "русский"),
    "si": ("Sinhala", "සිංහල"), "sk": ("Slovak", "slovenčina"),
    "sl": ("Slovenian", "slovenščina"), "sq": ("Albanian", "shqip"),
    "sr": ("Serbian", "српски"), "sv": ("Swedish", "svenska"),
    "sw": ("Swahili", "Kiswahili"), "ta": ("Tamil", "தமிழ்"),
    "te": ("Telugu", "తెలుగు"), "th": ("Thai", "ไทย"),
    "tl": ("Tagalog", "Tagalog"), "tr": ("Turkish", "Türkçe"),
    "uk": ("Ukrainian", "українська"), "ur": ("Urdu", "اردو"),
    "uz": ("Uzbek", "oʻzbek"), "vi": ("Vietnamese", "Tiếng Việt"),
    "zh": ("Chinese", "中文"), "zu": ("Zulu", "isiZulu"),
}

# The language of reports when the question's cannot be told (and of the tool's own text).
DEFAULT_LANGUAGE = "en"


def primary(tag: str) -> str:
    """The language code of a BCP-47 tag: "pt-BR" -> "pt"."""
    return tag.split("-", 1)[0].lower()


def language_name(tag: str) -> str:
    """The English name of a tag's language, with the tag when it says more than the
    language ("Portuguese (pt-BR)"); the tag itself when the language is unknown."""
    names = LANGUAGES.get(primary(tag))
    if names is None:
        return tag
    return names[0] if "-" not in tag else f"{names[0]} ({tag})"
