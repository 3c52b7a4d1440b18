"""Gold evaluation: precision and recall of the facts over every gold file in fixtures/, counted per gold
file (seeds, corpus, documents from other provinces), printed with `pytest -s`. Issue 13's bar:
precision ≥ 0.99 and recall ≥ 0.95 over all of them together."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from gov_pipeline_tests.conftest import CORPUS, FIXTURES, RAW, SEEDS
from gov_pipeline_tests.facts.test_facts import facts_of


@dataclass
class Score:
    right: int = 0
    wrong: int = 0
    missing: int = 0
    lines: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / (self.right + self.wrong) if self.right + self.wrong else 1.0

    @property
    def recall(self) -> float:
        stated = self.right + self.wrong + self.missing
        return self.right / stated if stated else 1.0

    def add(self, other: Score) -> None:
        self.right, self.wrong, self.missing = (self.right + other.right, self.wrong + other.wrong,
                                                self.missing + other.missing)


def _document(key: str) -> Path | None:
    """The raw file a gold entry names: a path under data/raw/, seeds/ or corpus/, else a unique name."""
    for folder in (RAW, SEEDS, CORPUS):
        if (folder / key).is_file():
            return folder / key
    named = [p for p in RAW.rglob(Path(key).name) if p.is_file()]
    return named[0] if len(named) == 1 else None


def _expected_facts(entry: dict) -> dict[str, float | None]:
    """Seed-style entries keep facts under "facts"; corpus-style entries are the facts. null = the report
    does not state it (or only in a form that must not be read): a value found for it is wrong."""
    facts = entry.get("facts", entry)
    return {k: v for k, v in facts.items() if v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))}


def score_gold_file(path: Path) -> Score:
    score = Score()
    gold = {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if not k.startswith("_")}
    for key, entry in gold.items():
        expected = _expected_facts(entry)
        document = _document(key)
        if document is None:
            score.missing += sum(value is not None for value in expected.values())
            score.lines.append(f"  ABSENT {key}")
            continue
        found = facts_of(document)
        for fact_key, value in expected.items():
            if value is None:
                if fact_key in found:
                    score.wrong += 1
                    score.lines.append(f"  WRONG {key}: {fact_key} is not stated, got {found[fact_key].value:g} "
                                       f"({found[fact_key].evidence[:80]})")
            elif fact_key not in found:
                score.missing += 1
                score.lines.append(f"  miss  {key}: {fact_key} gold={value:g}")
            elif abs(found[fact_key].value - value) < 1e-6:
                score.right += 1
            else:
                score.wrong += 1
                score.lines.append(f"  WRONG {key}: {fact_key} gold={value:g} got={found[fact_key].value:g} "
                                   f"({found[fact_key].evidence[:80]})")
    return score


def test_gold_precision_and_recall_per_gold_file() -> None:
    total = Score()
    for path in sorted(FIXTURES.glob("*gold*.json")):
        score = score_gold_file(path)
        total.add(score)
        print(f"\n{path.name}: {score.right} right, {score.wrong} wrong, {score.missing} missing; "
              f"precision {score.precision:.3f}, recall {score.recall:.3f}")
        print("\n".join(score.lines))
    print(f"all gold: {total.right} right, {total.wrong} wrong, {total.missing} missing; "
          f"precision {total.precision:.3f}, recall {total.recall:.3f}")
    assert total.precision >= 0.99 and total.recall >= 0.95
