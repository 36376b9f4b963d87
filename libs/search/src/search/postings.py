"""An inverted index of one kind of term (words or trigrams) with BM25 scoring over numpy.

Each term's postings are two packed arrays (slots as 32-bit integers, weighted term
frequencies as 32-bit floats): 8 bytes a posting, where a dict of dicts took about 100. The
weighted frequencies are sums of small whole numbers, exact in either width, so every process
computes the same scores whatever order it loaded the documents in.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Slots = npt.NDArray[np.int32]


class Postings:
    """term → (slots, weighted term frequencies), and each slot's weighted length."""

    def __init__(self) -> None:
        self._slots: dict[str, array[int]] = {}
        self._tfs: dict[str, array[float]] = {}
        self._lengths: array[float] = array("d")
        self.total_length = 0.0
        self.count = 0

    def df(self, term: str) -> int:
        found = self._slots.get(term)
        return len(found) if found is not None else 0

    def __contains__(self, term: str) -> bool:
        return term in self._slots

    def slots(self, term: str) -> Slots | None:
        """The slots that have `term` (a view: use it before the next change)."""
        found = self._slots.get(term)
        return np.frombuffer(found, dtype=np.int32) if found is not None else None

    def add(self, slot: int, counts: Mapping[str, float]) -> None:
        while len(self._lengths) <= slot:
            self._lengths.append(0.0)
        length = sum(counts.values())
        self._lengths[slot] = length
        self.total_length += length
        self.count += 1
        for term, tf in counts.items():
            slots = self._slots.get(term)
            if slots is None:
                self._slots[term] = array("i", (slot,))
                self._tfs[term] = array("f", (tf,))
            else:
                slots.append(slot)
                self._tfs[term].append(tf)

    def remove(self, slot: int, terms: Iterable[str]) -> None:
        self.total_length -= self._lengths[slot]
        self._lengths[slot] = 0.0
        self.count -= 1
        for term in terms:
            slots = self._slots.get(term)
            if slots is None:
                continue
            keep = [i for i, s in enumerate(slots) if s != slot]
            if not keep:
                del self._slots[term], self._tfs[term]
                continue
            tfs = self._tfs[term]
            self._slots[term] = array("i", (slots[i] for i in keep))
            self._tfs[term] = array("f", (tfs[i] for i in keep))

    def idf(self, term: str) -> float:
        """BM25's idf (never negative); a term no document has gets the highest."""
        df = self.df(term)
        return math.log(1.0 + (self.count - df + 0.5) / (df + 0.5))

    def scores(
        self, terms: Iterable[tuple[str, float]], size: int, *, k1: float, b: float
    ) -> Floats:
        """BM25 of every slot (0 for a slot without any of the terms), each term's part
        multiplied by its weight."""
        out = np.zeros(size, dtype=np.float64)
        for term, weight in terms:
            self.add_term(out, term, weight, k1=k1, b=b)
        return out

    def add_term(self, out: Floats, term: str, weight: float, *, k1: float, b: float) -> None:
        """Add `term`'s part of BM25, times `weight`, to each slot's score in `out`."""
        found = self._slots.get(term)
        if found is None or self.count == 0:
            return
        lengths = np.frombuffer(self._lengths, dtype=np.float64)
        average = self.total_length / self.count or 1.0
        slots = np.frombuffer(found, dtype=np.int32)
        tfs = np.frombuffer(self._tfs[term], dtype=np.float32).astype(np.float64)
        norm = k1 * (1.0 - b + b * lengths[slots] / average)
        out[slots] += weight * self.idf(term) * tfs * (k1 + 1.0) / (tfs + norm)
