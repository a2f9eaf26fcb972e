"""Search is accent- and stemming-aware on both databases, ranks titles first and never leaks drafts
or internal articles to those who may not read them."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fidelia.knowledge import selectors, textsearch
from fidelia.knowledge.services import article_note_use
from fidelia.knowledge.tests.factories import article

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(personas):
    agent = personas.service
    return {
        "claim": article(actor=agent, title="Déposer une réclamation",
                         body="Le client peut contester une opération par écrit."),
        "billing": article(actor=agent, title="Erreur de facturation sur les frais de tenue de compte",
                           body="Vérifier les frais facturés et rembourser si besoin."),
        "card": article(actor=agent, title="Opposition sur une carte bancaire",
                        body="En cas de perte ou de vol, faire opposition immédiatement. Réclamation possible."),
        "home": article(actor=agent, title="Home insurance claim", language="en", audience="public",
                        body="Declare the damage within five working days."),
        "draft": article(actor=agent, title="Réclamations en brouillon", body="Pas encore publié.",
                         status="draft"),
    }


def titles(rows):
    return [r.title for r in rows]


def test_accents_and_plurals_find_the_same_article(base, personas):
    found = titles(selectors.article_search(user=personas.alice, q="reclamations"))
    assert found[0] == "Déposer une réclamation"  # title hit (weight A) before the body hit
    assert "Opposition sur une carte bancaire" in found
    assert "Réclamations en brouillon" not in found  # a draft is not searchable


def test_stemming_links_verb_and_noun(base, personas):
    assert "Erreur de facturation sur les frais de tenue de compte" in titles(
        selectors.article_search(user=personas.alice, q="facturé"))
    assert "Déposer une réclamation" in titles(selectors.article_search(user=personas.alice, q="contestation"))


def test_english_articles_use_english_stemming(base, personas):
    assert titles(selectors.article_search(user=personas.alice, q="claims damaged")) == ["Home insurance claim"]


def test_typing_a_prefix_suggests(base, personas):
    assert "Opposition sur une carte bancaire" in titles(selectors.article_suggest(user=personas.alice, text="opposi"))


def test_long_text_matches_any_word_ranked(base, personas):
    text = "Bonjour, je souhaite faire une réclamation car ma carte a été volée hier soir"
    found = titles(selectors.article_suggest(user=personas.service, text=text))
    assert found[0] == "Opposition sur une carte bancaire"  # matches most words


def test_empty_and_punctuation_queries(base, personas):
    assert selectors.article_search(user=personas.alice, q="") == []
    assert selectors.article_search(user=personas.alice, q="&|!:*()'") == []
    assert selectors.article_search(user=personas.alice, q="réclamation & | ! :* ' (") != []


def test_public_search_only_public(base):
    assert titles(selectors.article_search(user=None, q="claim", public_only=True)) == ["Home insurance claim"]
    assert selectors.article_search(user=None, q="réclamation", public_only=True) == []


def test_usage_count(base, personas):
    article_note_use(article=base["card"], actor=personas.service)
    article_note_use(article=base["card"], actor=personas.service)
    base["card"].refresh_from_db()
    assert base["card"].usage_count == 2


@given(st.text(max_size=40))
def test_fold_is_idempotent_and_ascii(text):
    folded = textsearch.fold(text)
    assert textsearch.fold(folded) == folded
    assert all(w.isascii() for w in textsearch.words(text))


@pytest.mark.parametrize(("a", "b"), [("réclamations", "réclamation"), ("facturé", "facturation"),
                                       ("contester", "contestation"), ("assurances", "Assurance")])
def test_fallback_stems_agree(a, b):
    assert textsearch.terms(a, "fr") == textsearch.terms(b, "fr")


def test_ranked_page_is_cut_before_loading_articles(base, personas, django_assert_max_num_queries):
    """The limit applies to the ranking, the articles of the page come whole, best first, with their rank
    and category, and accented or inflected words still match."""
    with django_assert_max_num_queries(2):
        found = selectors.article_search(user=personas.alice, q="réclamations", limit=1)
        assert [a.title for a in found] == ["Déposer une réclamation"]
        assert found[0].rank > 0 and found[0].category is None and found[0].body
    every = selectors.article_search(user=personas.alice, q="reclamation")
    assert [a.rank for a in every] == sorted((a.rank for a in every), reverse=True)
    assert [a.pk for a in selectors.article_search(user=personas.alice, q="reclamation", limit=2)] == [
        a.pk for a in every[:2]]
