"""Progress of long work on the command line: a tqdm bar per stage (stage, n/total, rate,
time left), on a terminal only."""

from __future__ import annotations

import sys


class ProgressBars:
    """A tqdm bar per analysis stage on stderr: stage, n/total, rate and time left.

    Only on a terminal: a piped or logged run gets the one report line and nothing else.
    """

    def __init__(self, enabled: bool | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.bars: dict = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(total=total, desc=f"{stage:>9}", unit="item", file=sys.stderr,
                                          dynamic_ncols=True, leave=True)
        bar.total = total
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()

