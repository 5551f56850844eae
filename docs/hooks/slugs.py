"""mkdocs hook: heading anchors that keep the letter đ as d (`#cchc-table-bang-cham-diem`).

Python-Markdown's slugify drops every letter without an ASCII base, and đ has none: "điểm" became
"iem". Links into the Vietnamese headings then read wrong and break when a heading is reworded.
"""

from __future__ import annotations

from typing import Any

from markdown.extensions.toc import slugify

_D = str.maketrans({"đ": "d", "Đ": "D"})


def vietnamese_slug(value: str, separator: str) -> str:
    """Markdown's slug of a heading with đ written as d."""
    return slugify(value.translate(_D), separator)


def on_config(config: Any) -> Any:
    """Give the table of contents the slug function (mkdocs.yml cannot name a function of a hook file)."""
    config.mdx_configs.setdefault("toc", {})["slugify"] = vietnamese_slug
    return config
