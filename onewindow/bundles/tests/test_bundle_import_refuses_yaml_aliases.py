"""A bundle file with YAML aliases (*name) is refused before anything is built from it: aliases of
aliases let a file of a few hundred bytes expand to gigabytes in the web process."""

from __future__ import annotations

import pytest

from onewindow.bundles.transfer import ImportFailed, bundle_import

pytestmark = pytest.mark.django_db


def nested_aliases(depth: int) -> str:
    """The review's file: each level lists the one before ten times, so depth 7 is ten million
    choices (1.5 s and 450 MB before aliases were refused; depth 9 exhausted the worker's memory)."""
    lines = ["format: onewindow.bundle/1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, depth):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    lines += ["fields:", f"  - {{code: reviewtest-bomb, label: 类型, type: choice, choices: *a{depth - 1}}}"]
    return "\n".join(lines) + "\n"


def test_a_file_with_aliases_is_refused_with_the_line_of_the_first() -> None:
    text = nested_aliases(7)
    assert len(text.encode()) < 600

    with pytest.raises(ImportFailed) as failure:
        bundle_import(text, dry_run=True)

    assert failure.value.report.errors == [
        "第 3 行：文件用了 YAML 别名 *a0。导入不接受别名，请把它代表的内容直接写出来"
    ]


def test_an_anchor_without_an_alias_is_harmless() -> None:
    """Only aliases repeat anything; an anchor left in an edited file is not a mistake of its own."""
    text = "format: onewindow.bundle/1\nfields:\n  - &f {code: reviewtest-anchor, label: 类型, choices: [a, b]}\n"

    assert bundle_import(text, dry_run=True).lines() == ["表单要素：新建 1 个，更新 0 个"]
