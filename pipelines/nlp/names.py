"""Personal names in a corpus, so theme keywords and labels never name people.

Theme labels are built from c-TF-IDF keywords, and what clients write is full of the first
names of their friends, bosses, partners and children ("dana and breakup"). A label is shown
next to the client and across the caseload, so a name in it is both noise and an
identifier. ``personal_names(texts)`` returns the lower-case tokens of ``texts`` that read
as names, and ``themes.theme_keywords`` treats them as stop words (no keyword, no bigram,
no label contains one).

Two kinds of evidence, in this order:

1. **Capitalization in the corpus itself** (any language, any name, no list needed). Only
   mid-sentence occurrences count (a sentence's first word is capitalized anyway), and
   only in texts that use capital letters at all (many people write entirely in lower
   case; those texts say nothing about case). A token capitalized (``Dana``, not ``DANA``)
   in at least ``CAPITALIZED_SHARE`` of its mid-sentence occurrences is a proper noun. A
   small allow-list keeps capitalized common words: ``I``, days, months, holidays, kinship
   words used as names ("Mum", "Dad", "Grandpa"), "God" and a few apps everyone names; and
   common English words that are not first names (``common_words.txt.gz``, SCOWL size 35)
   are never names by capitalization alone ("my Anxiety", "the Depression"). Other proper
   nouns (places, brands, medications) are dropped as well: they identify people too.
2. **A bundled list of first names** (``first_names.txt``) for tokens without such
   evidence: names only seen lower case or at the start of a sentence ("dana called
   again"). Names that are also common English words ("Grace", "Mark", "Lily", marked
   ``?`` in the list) count only when the corpus shows them capitalized somewhere (a
   sentence start will do) and never lower case mid-sentence in a text that uses
   capitals; names that are very common words ("Will", "Hope", "May") are not listed at
   all. How the list was built is in its header (``names_build.py``); nothing is
   downloaded at run time.

Pure and deterministic; a few milliseconds per thousand texts.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Iterable

NAMES_PATH = Path(__file__).resolve().parent / "first_names.txt"
WORDS_PATH = Path(__file__).resolve().parent / "common_words.txt.gz"

# Share of capitalized mid-sentence occurrences that makes a token a proper noun.
CAPITALIZED_SHARE = 0.7

# Capitalized common words that are not people's names.
ALLOWED_CAPITALIZED = frozenset("""
i i'm i've i'll i'd im ive ok okay tv
monday tuesday wednesday thursday friday saturday sunday
mon tue tues wed thu thur thurs fri sat sun
mondays tuesdays wednesdays thursdays fridays saturdays sundays weekend weekends
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
christmas xmas easter thanksgiving halloween hanukkah chanukah ramadan eid diwali passover
lent advent valentine valentines new year years eve
mom mum mommy mummy mama momma dad daddy papa pa ma nan nana nanna gran granny grandma
grandmom grandpa granddad grandad grandfather grandmother grandparents auntie aunty aunt
uncle sis bro mother father
god lord jesus christ allah
english
instagram facebook tiktok twitter snapchat whatsapp youtube netflix zoom google amazon
reddit spotify iphone android linkedin discord teams slack
""".split())

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")


def _mid_sentence(text: str, start: int) -> bool:
    """A word, a digit or a comma stands before ``start`` (then the word cannot begin a
    sentence); after punctuation, a line break, an emoji or at the start it may."""
    window = text[max(0, start - 12):start].rstrip()
    if not window:
        return False
    last = window[-1]
    return last == "," or last.isalnum()


@functools.lru_cache(maxsize=1)
def _lists() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, first names that are also common English words) from the bundled file."""
    if not NAMES_PATH.exists():
        return frozenset(), frozenset()
    plain, ambiguous = set(), set()
    for line in NAMES_PATH.read_text(encoding="utf-8").splitlines():
        word = line.strip()
        if not word or word.startswith("#"):
            continue
        if word.startswith("?"):
            ambiguous.add(word[1:])
        else:
            plain.add(word)
    return frozenset(plain), frozenset(ambiguous)


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Common lower-case English words that are not first names (SCOWL size 35)."""
    import gzip

    if not WORDS_PATH.exists():
        return frozenset()
    with gzip.open(WORDS_PATH, "rt", encoding="utf-8") as f:
        return frozenset(w.strip() for w in f if w.strip() and not w.startswith("#"))


def first_names() -> frozenset[str]:
    """The bundled first names that are not English words (lower case, ASCII-folded)."""
    return _lists()[0]


def word_names() -> frozenset[str]:
    """Bundled first names that are also common English words ("grace", "mark", "lily")."""
    return _lists()[1]


def _key(token: str) -> str:
    """The token as the keyword tokenizer will see it: lower case, possessive dropped."""
    t = token.lower().replace("\u2019", "'")
    return re.sub(r"'(?:s|m|re|ve|ll|d|t)$", "", t)


def _uses_case(text: str) -> bool:
    """The writer uses capital letters: some word starts upper case and is not shouted."""
    return any(w[0].isupper() and not w.isupper() for w in _WORD.findall(text)) or bool(
        re.search(r"(?<![\w'])I(?![\w])", text))


def _capitalized(tok: str) -> bool:
    return tok[0].isupper() and not (len(tok) > 1 and tok.isupper())


def case_counts(texts: Iterable[str]) -> tuple[dict[str, int], dict[str, int], set[str]]:
    """Over the texts that use capital letters: (capitalized, lower-case) counts of each
    token's mid-sentence occurrences, and the tokens seen capitalized anywhere."""
    cap: dict[str, int] = {}
    low: dict[str, int] = {}
    cap_anywhere: set[str] = set()
    for text in texts:
        if not text or not _uses_case(text):
            continue
        for m in _WORD.finditer(text):
            tok = m.group(0)
            key = _key(tok)
            if not _mid_sentence(text, m.start()):
                if _capitalized(tok):
                    cap_anywhere.add(key)
                continue
            if tok.islower():
                low[key] = low.get(key, 0) + 1
            elif _capitalized(tok):
                cap[key] = cap.get(key, 0) + 1
                cap_anywhere.add(key)
    return cap, low, cap_anywhere


def personal_names(texts: Iterable[str], *, use_list: bool = True,
                   share: float = CAPITALIZED_SHARE) -> frozenset[str]:
    """Lower-case tokens of ``texts`` that are names (see the module docstring)."""
    texts = [t for t in texts if t]
    cap, low, cap_anywhere = case_counts(texts)
    words = common_words()
    names = {w for w, c in cap.items()
             if c / (c + low.get(w, 0)) >= share and w not in ALLOWED_CAPITALIZED and w not in words}
    plain, ambiguous = _lists() if use_list else (frozenset(), frozenset())
    if plain or ambiguous:
        seen = set()
        for text in texts:
            seen.update(_key(tok) for tok in _WORD.findall(text))
        seen -= ALLOWED_CAPITALIZED
        # a listed name without mid-sentence evidence either way ("dana called again")
        names |= {w for w in seen if w in plain and w not in cap and w not in low}
        # a name that is also a word: capitalized somewhere, never lower case mid-sentence
        names |= {w for w in seen if w in ambiguous and w in cap_anywhere and w not in low}
    return frozenset(names)
