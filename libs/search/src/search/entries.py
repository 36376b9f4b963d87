"""A document as the index keeps it, and its analysis (a pure function of the document)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from search.analysis import MIN_TERM, Analyzer
from search.model import SearchDocument
from search.text import trigrams, words


@dataclass(frozen=True, slots=True)
class Entry:
    doc: SearchDocument
    # The document's distinct words, folded, between spaces: what it adds to its language's
    # vocabulary of spellings (near spellings of typed words), and takes away when removed.
    spelled: str


def analyse(
    analyzer: Analyzer, doc: SearchDocument, *, title: float, tags: float
) -> tuple[dict[str, float], dict[str, float], str]:
    """The document's terms and trigrams, each with its weighted count (a title word counts
    `title` times, a tag `tags` times), and its distinct words between spaces (`Entry.spelled`)."""
    typed: defaultdict[str, float] = defaultdict(float)
    tags_text = " ".join(doc.tags)
    for text, weight in ((doc.title, title), (tags_text, tags), (doc.body, 1.0)):
        for word in words(text):
            if len(word) >= MIN_TERM or word.isdigit():
                typed[word] += weight
    word_counts: defaultdict[str, float] = defaultdict(float)
    gram_counts: defaultdict[str, float] = defaultdict(float)
    for word, count in typed.items():
        word_counts[analyzer.stem(word)] += count
        for gram in trigrams(word):
            gram_counts[gram] += count
    return dict(word_counts), dict(gram_counts), " " + " ".join(sorted(typed)) + " "
