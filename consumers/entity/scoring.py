"""Pairwise precision and recall of entities against a ground truth of which subjects are one seller."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class PairScores:
    linked_pairs: int
    true_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.linked_pairs if self.linked_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0


def pair_scores(entity_of: Mapping[str, str], seller_of: Mapping[str, str]) -> PairScores:
    """Over the subjects both mappings know: pairs put in one entity vs pairs that are one seller."""
    common = sorted(set(entity_of) & set(seller_of))
    linked = _pairs({s: entity_of[s] for s in common})
    true = _pairs({s: seller_of[s] for s in common})
    return PairScores(len(linked), len(true), len(linked & true))


def _pairs(group_of: Mapping[str, str]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for subject, group in group_of.items():
        groups[group].append(subject)
    return {pair for members in groups.values() for pair in combinations(sorted(members), 2)}
