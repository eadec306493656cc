"""Every text the English catalogue holds is translated: a reader who chose English never meets Chinese.

`makemessages` adds new texts with an empty translation and marks guessed ones fuzzy (Django then
shows the Chinese); this test names any that were left so.
"""

from __future__ import annotations

from pathlib import Path

import onewindow

CATALOGUE = Path(onewindow.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def entries(text: str) -> list[tuple[str, list[str], str]]:
    """(msgid, flags, msgstr) of each entry but the header; --no-wrap keeps each on one line."""
    found = []
    for block in text.split("\n\n"):
        lines = block.splitlines()
        msgid = next((line[len('msgid "') : -1] for line in lines if line.startswith("msgid ")), "")
        if not msgid:
            continue
        flags = [f.strip() for line in lines if line.startswith("#,") for f in line[2:].split(",")]
        msgstr = "".join(line[len('msgstr "') : -1] for line in lines if line.startswith("msgstr"))
        found.append((msgid, flags, msgstr))
    return found


def test_every_text_in_the_english_catalogue_is_translated() -> None:
    catalogue = entries(CATALOGUE.read_text(encoding="utf-8"))
    assert len(catalogue) > 1000  # the whole catalogue was read, not a fragment

    left = [msgid for msgid, flags, msgstr in catalogue if "fuzzy" in flags or not msgstr]

    assert left == [], f"{len(left)} texts without an English translation: {left[:10]}"
