"""What the analysis does for each language, on small documents of its own (no database: the
ranking is the same code whatever stores the documents; test_index.py covers the storing)."""

from pathlib import Path

import pytest

from search import SearchDocument, SearchQuery
from search.analysis import Analyzer, shipped_analyzers
from search.model import LANGUAGES
from search.ranking import Ranker
from search.snippets import snippet
from search.text import fold, words


def doc(slug, lang, title, body, **extra):
    return SearchDocument(slug=slug, kind="article", lang=lang, title=title, body=body, **extra)


DOCS = [
    doc(
        "nl-pas",
        "nl",
        "Bibliotheekpas verlengen",
        "Een verlopen bibliotheekpas verleng je aan de balie.",
    ),
    doc(
        "nl-uren",
        "nl",
        "Openingsuren aanpassen",
        "Wijzig de openingsuren en sluitingsdagen op de website.",
    ),
    doc(
        "nl-cafe", "nl", "Een taalcafé starten", "Vrijwilligers leiden het gesprek in het taalcafé."
    ),
    doc(
        "nl-auto", "nl", "Uitleenautomaat storing", "De uitleenautomaat herkent het exemplaar niet."
    ),
    doc(
        "nb-tid",
        "nb",
        "Endre åpningstider",
        "Åpningstidene står på nettsiden og endres av redaktøren.",
    ),
    doc(
        "nb-ebok",
        "nb",
        "E-bøker på lesebrett",
        "Slik låner du e-bøker og leser dem på lesebrettet.",
    ),
    doc("nb-kort", "nb", "Mistet lånekort", "Et tapt lånekort sperres i skranken."),
    doc("nb-stat", "nb", "Utlånstall", "Statistikk over utlån hentes fra biblioteksystemet."),
    doc("nn-les", "nn", "Sommarles for born", "Lesekampanjen sommarles er for born i grunnskulen."),
    doc("nn-ope", "nn", "Meirope bibliotek", "Lånarane kjem inn utanom betent opningstid."),
    doc("en-hold", "en", "Placing a hold", "Place a hold on the item for the patron."),
    doc(
        "en-ill",
        "en",
        "Interlibrary loan basics",
        "Request an interlibrary loan from another library.",
    ),
]


@pytest.fixture(scope="module")
def ranker():
    ranker = Ranker(shipped_analyzers())
    for document in DOCS:
        ranker.put(document)
    return ranker


def first(ranker, text, lang):
    found = ranker.search(SearchQuery(text=text, lang=lang))
    return found[0].doc.slug if found else None


@pytest.mark.parametrize(
    ("text", "lang", "slug"),
    [
        # accents typed or not
        ("taalcafe", "nl", "nl-cafe"),
        ("apningstider", "nb", "nb-tid"),
        ("sommarlés", "nn", "nn-les"),
        # stemming
        ("openingsuur", "nl", "nl-uren"),
        ("lånekortet", "nb", "nb-kort"),
        ("placed holds", "en", "en-hold"),
        # spelling variants: hyphen or not
        ("ebøker", "nb", "nb-ebok"),
        ("e-bok lesebrett", "nb", "nb-ebok"),
        # compounds and their parts
        ("utlånsstatistikk", "nb", "nb-stat"),
        ("automaat storing", "nl", "nl-auto"),
        # typos
        ("bibliotheekbas", "nl", "nl-pas"),
        ("interlibary loan", "en", "en-ill"),
        ("lanekrot", "nb", "nb-kort"),
        # synonyms and regional variants
        ("lidkaart verlengen", "nl", "nl-pas"),
        ("openingstijden", "nl", "nl-uren"),
        ("bibliotekkort mistet", "nb", "nb-kort"),
        ("meråpent", "nn", "nn-ope"),
        ("sommerles", "nn", "nn-les"),
        ("ILL", "en", "en-ill"),
        ("reservation for a patron", "en", "en-hold"),
    ],
)
def test_the_right_document_comes_first(ranker, text, lang, slug):
    assert first(ranker, text, lang) == slug


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("parkering ved biblioteket", "nb"),
        ("kantine", "nl"),
        ("salary", "en"),
        ("kaffemaskin", "nn"),
    ],
)
def test_a_query_nothing_answers_gets_nothing(ranker, text, lang):
    assert ranker.search(SearchQuery(text=text, lang=lang)) == []


def test_without_a_language_every_language_is_searched(ranker):
    slugs = [r.doc.slug for r in ranker.search(SearchQuery(text="sommarles bibliotheekpas"))]
    assert set(slugs) >= {"nn-les", "nl-pas"}


def test_a_process_that_saw_removals_ranks_as_a_fresh_one():
    """Near spellings come from the words documents have now, not from what a process saw."""
    seen = Ranker(shipped_analyzers())
    fresh = Ranker(shipped_analyzers())
    gone = doc("nb-gone", "nb", "Lånekoret", "Et lånekor med sangere.")
    for document in DOCS:
        seen.put(document)
    seen.put(gone)
    seen.remove("nb-gone")
    for document in DOCS:
        fresh.put(document)
    for text in ("lanekrot", "lånekor", "utlånstal", "sommerlés"):
        for lang in LANGUAGES:
            query = SearchQuery(text=text, lang=lang)
            assert [(r.doc.slug, r.score) for r in seen.search(query)] == [
                (r.doc.slug, r.score) for r in fresh.search(query)
            ]


async def test_a_service_extends_the_word_lists(tmp_path: Path):
    extra = tmp_path / "synonyms.nl.txt"
    await _write(extra, "# our own jargon\nbieb, bibliotheek\n")
    analyzer = Analyzer.load("nl", [extra])
    ranker = Ranker({**shipped_analyzers(), "nl": analyzer})
    ranker.put(doc("nl-1", "nl", "De bibliotheek", "Over de bibliotheek."))
    assert [r.doc.slug for r in ranker.search(SearchQuery(text="bieb", lang="nl"))] == ["nl-1"]
    plain = Ranker(shipped_analyzers())
    plain.put(doc("nl-1", "nl", "De bibliotheek", "Over de bibliotheek."))
    assert plain.search(SearchQuery(text="bieb", lang="nl")) == []


async def test_a_related_word_answers_for_less_than_a_synonym(tmp_path: Path):
    """A related word (related.<lang>.txt) finds a document that never uses the word typed, and
    ranks it below one found through a synonym."""
    related = tmp_path / "related.nl.txt"
    synonyms = tmp_path / "synonyms.nl.txt"
    await _write(related, "taalcafé, gespreksoefening\n")
    await _write(synonyms, "taalcafé, praatcafé\n")
    ranker = Ranker({**shipped_analyzers(), "nl": Analyzer.load("nl", [related, synonyms])})
    ranker.put(doc("nl-oefen", "nl", "Gespreksoefening", "Kaartjes voor de gespreksoefening."))
    ranker.put(doc("nl-praat", "nl", "Het praatcafé", "Kaartjes voor het praatcafé."))
    found = ranker.search(SearchQuery(text="taalcafe", lang="nl"))
    assert [r.doc.slug for r in found] == ["nl-praat", "nl-oefen"]
    plain = Ranker(shipped_analyzers())
    plain.put(doc("nl-oefen", "nl", "Gespreksoefening", "Kaartjes voor de gespreksoefening."))
    assert plain.search(SearchQuery(text="taalcafe", lang="nl")) == []


def test_a_group_of_one_word_once_analysed_is_no_group():
    """språkkafé and språkkafe are one word once the accent is folded: such a line adds no
    alternative (folding finds it already); a related word does."""
    analyzer = Analyzer("nb", frozenset())
    assert not analyzer.add_group(["språkkafé", "språkkafe"])
    assert analyzer.add_group(["språkkafé", "norsktrening"], related=True)
    assert analyzer.alternatives(["sprakkaf"]) == [(0, 1, [("norsktrening",)], True)]


async def _write(path: Path, text: str) -> None:
    import asyncio

    await asyncio.to_thread(path.write_text, text, encoding="utf-8")


def test_folding_and_words():
    assert (
        fold("Åpningstider Ærøskøbing Straße taalcafé")
        == "apningstider aeroskobing strasse taalcafe"
    )
    assert words("E-bøker, zo'n e-book!") == ["e", "boker", "zon", "e", "book", "eboker", "ebook"]
    assert words("e-book", parts=False) == ["ebook"]


def test_a_snippet_marks_matches_around_the_best_passage():
    body = " ".join(["vul"] * 50) + " het <taalcafé> & meer " + " ".join(["rest"] * 50)
    shown = snippet(body, lambda w: fold(w) == "taalcafe")
    assert "&lt;<mark>taalcafé</mark>&gt; &amp; meer" in shown
    assert shown.startswith("… ")
    assert shown.endswith(" …")
    assert "<" not in shown.replace("<mark>", "").replace("</mark>", "")
