"""Per language: words to terms (folded, stemmed), stop words, and the synonym groups."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no type information

from search.model import LANGUAGES
from search.text import words

_STEMMERS = {"nl": "dutch", "nb": "norwegian", "nn": "norwegian", "en": "english"}
# Which shipped files each language reads (`no`: both Norwegian written forms).
_FILE_LANGS = {"nl": ("nl",), "nb": ("nb", "no"), "nn": ("nn", "no"), "en": ("en",)}
# A word this short is no term of its own (the `e` of e-book); digits are kept (3d, 2.1).
MIN_TERM = 2

Phrase = tuple[str, ...]


def _lines(text: str) -> Iterable[str]:
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            yield line


def read_word_lists(kind: str, lang: str, extra: Sequence[Path] = ()) -> list[str]:
    """The lines of the shipped `<kind>.<lang>.txt` files for `lang`, then those of the same
    names among `extra` (a service's own)."""
    names = {f"{kind}.{code}.txt" for code in _FILE_LANGS[lang]}
    out: list[str] = []
    package = resources.files("search.wordlists")
    for name in sorted(names):
        item = package / name
        if item.is_file():
            out.extend(_lines(item.read_text(encoding="utf-8")))
    for path in extra:
        if path.name in names:
            out.extend(_lines(path.read_text(encoding="utf-8")))
    return out


@dataclass
class Analyzer:
    """How one language turns text into terms, and which terms mean the same."""

    lang: str
    stopwords: frozenset[str]
    # A phrase's first term → the phrases starting with it and the group each belongs to.
    _phrases: dict[str, list[tuple[Phrase, int]]] = field(default_factory=dict)
    _groups: list[list[Phrase]] = field(default_factory=list)
    # Per group: whether its words are related (a near meaning) rather than of one meaning.
    _related: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stem = lru_cache(maxsize=200_000)(Stemmer.Stemmer(_STEMMERS[self.lang]).stemWord)

    @classmethod
    def load(cls, lang: str, extra: Sequence[Path] = ()) -> Analyzer:
        stop = frozenset(
            w for line in read_word_lists("stopwords", lang, extra) for w in words(line)
        )
        analyzer = cls(lang, stop)
        for kind in ("synonyms", "variants", "related"):
            for line in read_word_lists(kind, lang, extra):
                analyzer.add_group(line.split(","), related=kind == "related")
        return analyzer

    def add_group(self, entries: Iterable[str], *, related: bool = False) -> bool:
        """Add a group of words of one meaning (or, `related`, of a near one); False when its
        entries are fewer than two different phrases once analysed (språkkafé, språkkafe: one
        word once the accent is folded), which is no group at all."""
        phrases = list(dict.fromkeys(p for p in (self.phrase(e) for e in entries) if p))
        if len(phrases) < 2:
            return False
        group = len(self._groups)
        self._groups.append(phrases)
        self._related.append(related)
        for phrase in phrases:
            self._phrases.setdefault(phrase[0], []).append((phrase, group))
        return True

    def stem(self, word: str) -> str:
        return self._stem(word)  # type: ignore[no-any-return]

    def terms(self, text: str, *, parts: bool = True) -> list[str]:
        """Every term of `text` in order (stop words included: they weigh little in a document);
        a hyphenated word gives its parts and itself joined, or only the latter."""
        return [self.stem(w) for w in words(text, parts=parts) if len(w) >= MIN_TERM or w.isdigit()]

    def phrase(self, entry: str) -> Phrase:
        """A word-list entry as terms: a hyphenated word as one (e-book as ebook)."""
        return tuple(self.terms(entry, parts=False))

    def alternatives(self, terms: Sequence[str]) -> list[tuple[int, int, list[Phrase], bool]]:
        """(start, end, other phrases of its group, whether they are only related) for each
        phrase of a group found in `terms`."""
        found: list[tuple[int, int, list[Phrase], bool]] = []
        for start, term in enumerate(terms):
            for phrase, group in self._phrases.get(term, ()):
                end = start + len(phrase)
                if tuple(terms[start:end]) == phrase:
                    others = [p for p in self._groups[group] if p != phrase]
                    found.append((start, end, others, self._related[group]))
        return found


@lru_cache(maxsize=1)
def shipped_analyzers() -> dict[str, Analyzer]:
    """The analysers with the shipped word lists only (built once per process)."""
    return {lang: Analyzer.load(lang) for lang in LANGUAGES}
