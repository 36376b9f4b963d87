"""An inverted index of one kind of term (words or trigrams) with BM25 scoring over numpy."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


class Postings:
    """term → {slot: weighted term frequency}, and each slot's weighted length."""

    def __init__(self) -> None:
        self._postings: dict[str, dict[int, float]] = {}
        self._arrays: dict[str, tuple[npt.NDArray[np.int64], Floats]] = {}
        self._lengths: list[float] = []
        self._length_array: Floats | None = None
        self.total_length = 0.0
        self.count = 0

    def df(self, term: str) -> int:
        return len(self._postings.get(term, ()))

    def __contains__(self, term: str) -> bool:
        return bool(self._postings.get(term))

    def add(self, slot: int, counts: dict[str, float]) -> None:
        while len(self._lengths) <= slot:
            self._lengths.append(0.0)
        length = sum(counts.values())
        self._lengths[slot] = length
        self.total_length += length
        self.count += 1
        for term, tf in counts.items():
            self._postings.setdefault(term, {})[slot] = tf
            self._arrays.pop(term, None)
        self._length_array = None

    def remove(self, slot: int, counts: dict[str, float]) -> None:
        self.total_length -= self._lengths[slot]
        self._lengths[slot] = 0.0
        self.count -= 1
        for term in counts:
            posting = self._postings.get(term)
            if posting is not None:
                posting.pop(slot, None)
                if not posting:
                    del self._postings[term]
            self._arrays.pop(term, None)
        self._length_array = None

    def idf(self, term: str) -> float:
        """BM25's idf (never negative); a term no document has gets the highest."""
        df = self.df(term)
        return math.log(1.0 + (self.count - df + 0.5) / (df + 0.5))

    def _array(self, term: str) -> tuple[npt.NDArray[np.int64], Floats] | None:
        found = self._arrays.get(term)
        if found is None:
            posting = self._postings.get(term)
            if not posting:
                return None
            slots = np.fromiter(posting.keys(), dtype=np.int64, count=len(posting))
            tfs = np.fromiter(posting.values(), dtype=np.float64, count=len(posting))
            found = self._arrays[term] = (slots, tfs)
        return found

    def scores(
        self, terms: Iterable[tuple[str, float]], size: int, *, k1: float, b: float
    ) -> Floats:
        """BM25 of every slot (0 for a slot without any of the terms), each term's part
        multiplied by its weight."""
        out = np.zeros(size, dtype=np.float64)
        if self.count == 0:
            return out
        if self._length_array is None:
            self._length_array = np.asarray(self._lengths, dtype=np.float64)
        lengths = self._length_array
        average = self.total_length / self.count or 1.0
        for term, weight in terms:
            found = self._array(term)
            if found is None:
                continue
            slots, tfs = found
            norm = k1 * (1.0 - b + b * lengths[slots] / average)
            out[slots] += weight * self.idf(term) * tfs * (k1 + 1.0) / (tfs + norm)
        return out
