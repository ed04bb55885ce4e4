"""Sentence splitting for client writing: chat messages, check-in notes, long posts.

Client text is informal: no punctuation at all, runs of "...", emoji as full stops,
line breaks as sentence breaks, abbreviations ("Dr.", "e.g."), numbers ("3.5 hours").
The splitter is rule based (no model), deterministic and never returns empty strings.
Very long run-ons are cut at a maximum length, preferably at a comma or a conjunction,
so one alarming clause inside a wall of text stays its own unit.
"""

from __future__ import annotations

import re

MAX_CHARS = 300  # longer pieces are cut at a soft boundary
MIN_CUT = 60  # never cut a piece shorter than this

# Lower-cased titles whose trailing period never ends a sentence ("Dr. Lee").
TITLES = frozenset("dr mr mrs ms mx prof sr jr st vs e.g i.e eg ie cf approx fig no vol".split())
# Abbreviations that may also end a sentence: a break only if the next word is capitalized.
ABBREVIATIONS = frozenset("""
etc appt apt dept est inc ltd co jan feb mar apr jun jul aug sep sept oct nov dec mon tue
tues wed thu thur thurs fri sat sun min mins hr hrs sec al p.m a.m pm am u.s u.k
""".split())

_EMOJI = (
    "\U0001F300-\U0001FAFF"  # pictographs, emoticons, symbols
    "\u2600-\u27BF"  # misc symbols, dingbats
    "\U0001F000-\U0001F2FF"
)
# Sentence-ending punctuation (with closing quotes/brackets), or a run of emoji, then space.
_BOUNDARY = re.compile(
    r"""(?:[.!?\u2026]+["'\u201d\u2019)\]]*|[%s]+(?:\ufe0f)?)(?=\s+|$)"""
    r"""|(?:\.{3,}|\u2026)(?=[A-Za-z])"""
    r"""|(?<=[a-z]{2})[.!?]+(?=[A-Z][a-z'])""" % _EMOJI
)
_SOFT_CUT = re.compile(r",\s+|;\s+|:\s+|\s+-+\s+|\s+(?:and|but|so|because|cause|cuz|then)\s+", re.I)
_SPACE = re.compile(r"[ \t\f\v\u00a0]+")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


def _is_abbreviation(piece: str, following: str) -> bool:
    """True if ``piece`` ends with an abbreviation period that does not end the sentence."""
    m = _WORD_BEFORE.search(piece)
    if not m:
        return False
    word = m.group(1).lower()
    if word in TITLES:
        return True
    if word in ABBREVIATIONS:
        return not following.lstrip()[:1].isupper()
    return len(word) == 1 and word.isalpha() and m.group(1).isupper()


def _split_line(line: str) -> list[str]:
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(line):
        end = m.end()
        piece = line[start:end]
        token = m.group(0)
        if token == "." and _is_abbreviation(piece, line[end:]):
            continue
        # a decimal like "3.5" never matches (no following space); "..." mid-thought is a break
        if piece.strip():
            out.append(piece.strip())
        start = end
    rest = line[start:].strip()
    if rest:
        out.append(rest)
    return out


def _cut_long(piece: str, max_chars: int) -> list[str]:
    """Cut a run-on at soft boundaries (comma, conjunction), else at a space, until short."""
    if len(piece) <= max_chars:
        return [piece]
    out: list[str] = []
    rest = piece
    while len(rest) > max_chars:
        cut = -1
        for m in _SOFT_CUT.finditer(rest, MIN_CUT, max_chars):
            cut = m.start()  # latest soft boundary inside the window
        if cut < MIN_CUT:
            cut = rest.rfind(" ", MIN_CUT, max_chars)
        if cut < MIN_CUT:
            cut = max_chars
        head, rest = rest[:cut].strip(" ,;:-"), rest[cut:].strip(" ,;:-")
        if head:
            out.append(head)
    if rest:
        out.append(rest)
    return out


def split_sentences(text: str | None, max_chars: int = MAX_CHARS) -> list[str]:
    """Sentences of ``text`` in order; ``[]`` for empty or whitespace-only input."""
    if not text:
        return []
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    sentences: list[str] = []
    for line in text.split("\n"):
        line = _SPACE.sub(" ", line).strip()
        if not line:
            continue
        for piece in _split_line(line):
            if not any(ch.isalnum() for ch in piece):
                # punctuation/emoji only: attach to the previous sentence if there is one
                if sentences:
                    sentences[-1] = f"{sentences[-1]} {piece}"
                else:
                    sentences.append(piece)
                continue
            sentences.extend(_cut_long(piece, max_chars))
    return sentences
