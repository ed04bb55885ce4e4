"""Client text made inert: the one function every client-provided string passes through
before it reaches the page (st.markdown and every widget label that reads markdown),
a Plotly chart (labels, legends, hover text) or the printable brief's HTML.

Names, emotion labels, body locations, practice kinds, notes, messages, conversation
titles and summaries, theme labels, keywords and quotes all come from a client's export
and may carry ``![x](http://host/x.png)``, ``[link](http://host)`` or ``<img src=...>``.
A remote image is a beacon (it tells an outsider when a clinician opens that client), a
link leads out of the app, so neither may ever come from what a client wrote.
"""

from __future__ import annotations

import re

# Characters that stay as they are: letters, digits and whitespace (checked separately),
# and punctuation that neither markdown, Streamlit's directives, Plotly's pseudo-HTML nor
# HTML element content give a meaning to.
_KEEP = frozenset(" ,;?'\"")
# Zero-width word joiner: breaks the patterns linkifiers look for in already-parsed text
# (GitHub-flavoured markdown turns `http://…`, `www.…` and `a@b.co` into links after
# character references are decoded, and Streamlit turns `:name:` into an emoji or icon).
_JOIN = "\u2060"
_WWW = re.compile(r"(www)(?=\.)", re.IGNORECASE)


def _escaped(ch: str) -> str:
    if ch.isalnum() or ch in _KEEP or ord(ch) > 127:
        return ch
    code = f"&#{ord(ch)};"
    return code + _JOIN if ch in ":@" else code


def plain(text) -> str:
    """``text`` as inert text for markdown and HTML element content alike.

    Whitespace runs become one space (no headings, lists, tables or code blocks can
    start a line); every ASCII punctuation mark that could open markup becomes a numeric
    character reference, which markdown, HTML and Plotly all show as the character itself
    and never parse; URLs, ``www.`` names, e-mail addresses and ``:shortcodes:`` are broken
    with an invisible word joiner so no linkifier turns them into links. Control characters
    are dropped. Not for HTML attribute values (nothing client-provided goes in one)."""
    if text is None:
        return ""
    text = "".join(ch for ch in " ".join(str(text).split()) if ch.isprintable())
    return "".join(_escaped(ch) for ch in _WWW.sub(r"\1" + _JOIN, text))
