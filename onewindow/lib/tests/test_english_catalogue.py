"""Every text the English catalogue holds is translated: a reader who chose English never meets Chinese.

`makemessages` adds new texts with an empty translation and marks guessed ones fuzzy (Django then
shows the Chinese); this test names any that were left so.
"""

from __future__ import annotations

import re
from pathlib import Path

import onewindow

CATALOGUE = Path(onewindow.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


KEYWORD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$')
CONTINUATION = re.compile(r'^"(.*)"$')


def entries(text: str) -> list[tuple[str, list[str], list[str]]]:
    """(msgid, flags, every msgstr form) of each entry but the header and the obsolete ones."""
    found = []
    for block in text.split("\n\n"):
        flags: list[str] = []
        parts: dict[str, str] = {}
        keyword = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += [flag.strip() for flag in line[2:].split(",")]
            elif match := KEYWORD.match(line):
                keyword = match.group(1)
                parts[keyword] = match.group(2)
            elif (match := CONTINUATION.match(line)) and keyword:
                parts[keyword] += match.group(1)
        if parts.get("msgid"):
            found.append((parts["msgid"], flags, [v for k, v in parts.items() if k.startswith("msgstr")]))
    return found


def test_every_text_in_the_english_catalogue_is_translated() -> None:
    catalogue = entries(CATALOGUE.read_text(encoding="utf-8"))
    assert len(catalogue) > 1000  # the whole catalogue was read, not a fragment

    left = [msgid for msgid, flags, forms in catalogue if "fuzzy" in flags or not all(forms)]

    assert left == [], f"{len(left)} texts without an English translation: {left[:10]}"
