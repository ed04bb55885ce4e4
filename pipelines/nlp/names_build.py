"""Rebuild ``first_names.txt`` (a developer tool; never run by the pipelines).

    pip download --no-deps faker -d /tmp/faker && unzip -q /tmp/faker/faker-*.whl -d /tmp/faker/x
    apt-get install wamerican-small wbritish-small
    python -m pipelines.nlp.names_build --faker /tmp/faker/x [--eval-data ../shared/eval-data]

Sources: the first-name lists of every Latin-script locale of Faker (MIT licence; lists
compiled from public name statistics), ASCII-folded and lower-cased, hyphenated names
split. Removed: every word the small system dictionaries (``/usr/share/dict``
american- and british-english-small, common words only) list in lower case ("grace",
"mark", "lily", "will", "hope"), scikit-learn's
English stop words, and, when the labeled eval corpora are at hand, the list words that
real people write lower case mid-sentence at least three times and at least twice as
often as capitalized ("idk", "uni", "theres"). Names that are dictionary words are kept
apart (marked ``?``: names only with evidence in the corpus), except those written lower
case at least 10 times ("will", "hope", "mark"). Only the resulting word list is written.
"""

from __future__ import annotations

import argparse
import collections
import importlib
import pkgutil
import re
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parent / "first_names.txt"
WORDS_OUT = Path(__file__).resolve().parent / "common_words.txt.gz"
# The SCOWL "small" lists (Debian wamerican-small, wbritish-small): common English words only,
# so a name that is also a rare word ("tom", "max", "john") stays a name.
DICTIONARIES = ("/usr/share/dict/american-english-small", "/usr/share/dict/british-english-small")


def fold(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()


def faker_first_names(faker_root: Path) -> set[str]:
    sys.path.insert(0, str(faker_root))
    import faker.providers.person as person

    out: set[str] = set()
    for m in pkgutil.iter_modules(person.__path__):
        try:
            provider = importlib.import_module(f"faker.providers.person.{m.name}").Provider
        except Exception:  # noqa: BLE001 - a locale that does not import is skipped
            continue
        for attr in ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary"):
            value = getattr(provider, attr, None)
            if value is None or isinstance(value, property):
                continue
            for name in (value.keys() if hasattr(value, "keys") else value):
                if not re.fullmatch(r"[A-Za-z\u00C0-\u024F' -]+", name):
                    continue  # another script
                for part in re.split(r"[ -]", name):
                    word = fold(part).strip("'")
                    if len(word) >= 2 and word.isalpha():
                        out.add(word)
    return out


def lower_case_words() -> set[str]:
    words: set[str] = set()
    for path in DICTIONARIES:
        for line in Path(path).read_text(encoding="utf-8", errors="ignore").splitlines():
            w = line.strip()
            if w and w == w.lower():
                words.add(fold(w.split("'")[0]))
    return words


def written_lower(eval_data: Path, candidates: set[str], at_least: int = 3) -> set[str]:
    import pandas as pd

    low: collections.Counter = collections.Counter()
    cap: collections.Counter = collections.Counter()
    for name in ("dreaddit_train.csv", "goemotions_train.csv", "counselchat_questions.csv",
                 "annomi_client.csv", "cssrs_dev.csv"):
        path = eval_data / name
        if not path.exists():
            continue
        for text in pd.read_csv(path)["text"].astype(str):
            for m in re.finditer(r"(?<=[a-z,] )([A-Za-z]+)\b", text):
                w = m.group(1)
                if w.islower():
                    low[w] += 1
                elif w[0].isupper() and not w.isupper():
                    cap[w.lower()] += 1
    return {w for w in candidates if low[w] >= at_least and low[w] >= 2 * cap[w]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--faker", type=Path, required=True, help="an unpacked Faker wheel")
    ap.add_argument("--eval-data", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "eval-data")
    args = ap.parse_args()
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from pipelines.nlp.names import ALLOWED_CAPITALIZED

    names = faker_first_names(args.faker)
    every_name = set(names)
    n_all = len(names)
    names -= set(ENGLISH_STOP_WORDS) | ALLOWED_CAPITALIZED
    words = names & lower_case_words()
    names -= words
    dropped = written_lower(args.eval_data, names) if args.eval_data.exists() else set()
    names -= dropped
    # words that people write lower case hundreds of times ("will", "hope") are never names
    very_common = written_lower(args.eval_data, words, at_least=10) if args.eval_data.exists() else set()
    words -= very_common
    header = [
        "# First names (lower case, ASCII-folded) for pipelines/nlp/names.py; built by",
        "# pipelines/nlp/names_build.py from the Latin-script first-name lists of Faker (MIT),",
        f"# {n_all} words. Plain lines: {len(names)} names that are not common English words",
        f"# ({len(dropped)} more dropped as written lower case). Lines with '?': {len(words)} names that",
        f"# are also common words (small system dictionaries), minus {len(very_common)} very common ones.",
    ]
    OUT.write_text("\n".join(header + sorted(names) + ["?" + w for w in sorted(words)]) + "\n",
                   encoding="utf-8")
    # Common lower-case English words that are not names: capitalized mid-sentence they are
    # emphasis or an entity's name ("Depression", "Anxiety"), not a person.
    import gzip

    common = sorted(w for w in lower_case_words() - every_name if len(w) >= 3)
    notice = ["# Lower-case words of SCOWL size 35 (Debian wamerican-small, wbritish-small),",
              "# Copyright 2000-2011 Kevin Atkinson and others; free to use, copy, modify and",
              "# distribute with this notice (/usr/share/doc/wamerican-small/copyright).",
              "# Built by pipelines/nlp/names_build.py; first names removed."]
    with gzip.GzipFile(WORDS_OUT, "wb", mtime=0) as f:
        f.write(("\n".join(notice + common) + "\n").encode())
    print(f"wrote {WORDS_OUT} ({len(common)} words)")
    print(f"wrote {OUT} ({len(names)} names; {len(dropped)} dropped as written lower case)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
