"""Longer run of tests/test_ingest_fuzz.py: byte-level mutations of valid exports, each of
which must get a clean verdict with nothing partial written.

    python bench/fuzz_ingest.py [--examples 2000] [--seed 0]

Prints how many mutated files were accepted and rejected, and examples per second. A
failure prints hypothesis's shrunk falsifying example and exits non-zero.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from hypothesis import HealthCheck, given, seed, settings

    from tests.test_ingest_fuzz import check_verdict, mutated_exports

    verdicts: Counter = Counter()

    @seed(args.seed)
    @settings(max_examples=args.examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(mutated_exports())
    def run(data: bytes) -> None:
        verdicts[check_verdict(data)] += 1

    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    total = sum(verdicts.values())
    print(f"{total:,} mutated exports in {seconds:.0f} s ({total / seconds:.1f}/s): "
          f"{verdicts['accepted']:,} accepted, {verdicts['rejected']:,} rejected, all clean verdicts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
