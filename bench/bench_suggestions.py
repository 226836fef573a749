"""Time matching KITOS' systems and last round's to a large Bilag 1.

Run: .venv/bin/python bench/bench_suggestions.py [--fagomraader 14] [--systemer 100]
[--kitos 800] [--repeat 3]. Prints the best CPU time of each match (the machine is shared, so
wall time says more about the neighbours); names are random words, a third of KITOS' systems
spelled as in Bilag 1, some with a typo.
"""

from __future__ import annotations

import argparse
import random
import time

from storage.domain.model import Fagomraade, ItSystem
from storage.domain.suggestions import MatchOutcome, SourceSystem, match_suggestions

_LETTERS = "abcdefghijklmnoprstuvy"
_VENDORS = ["KMD A/S", "Netcompany", "Fujitsu", "Systematic", None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fagomraader", type=int, default=14)
    parser.add_argument("--systemer", type=int, default=100, help="systems per fagområde")
    parser.add_argument("--kitos", type=int, default=800, help="systems in KITOS")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(19)

    fagomraader = [
        Fagomraade(n, f"Fagområde {n}", n, args.systemer) for n in range(args.fagomraader)
    ]
    systemer = [
        ItSystem(i, i % args.fagomraader, _name(rng), rng.choice(_VENDORS), None, i)
        for i in range(args.fagomraader * args.systemer)
    ]
    kitos = [
        SourceSystem(_typo(rng, s.navn) if rng.random() < 0.2 else s.navn)
        for s in rng.sample(systemer, min(len(systemer), args.kitos // 3))
    ]
    kitos += [SourceSystem(_name(rng)) for _ in range(args.kitos - len(kitos))]
    last_round = [
        SourceSystem(s.navn, fagomraade=f"Fagområde {s.fagomraade_id}", leverandoerer=())
        for s in systemer
    ]

    for label, sources in ((f"KITOS ({len(kitos)} systems)", kitos), ("last round", last_round)):
        best = float("inf")
        for _ in range(args.repeat):
            start = time.process_time()
            result = match_suggestions(fagomraader, systemer, sources)
            best = min(best, time.process_time() - start)
        found = sum(1 for m in result.systemer if m.outcome is not MatchOutcome.NONE)
        print(f"{label:>22} vs {len(systemer)} Bilag 1 systems: {best * 1000:7.1f} ms CPU", end="")
        print(f", {found} matched")


def _name(rng: random.Random) -> str:
    words = ("".join(rng.choice(_LETTERS) for _ in range(rng.randint(3, 9))) for _ in range(3))
    return " ".join(word.capitalize() for word in list(words)[: rng.randint(1, 3)])


def _typo(rng: random.Random, name: str) -> str:
    at = rng.randrange(len(name))
    return name[:at] + rng.choice(_LETTERS) + name[at + 1 :]


if __name__ == "__main__":
    main()
