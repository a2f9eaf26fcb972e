"""Stage names are translated in their own context ("pipeline stage"): the stage "Lost" (a deal) is
not the RFM segment "Lost" (customers, « Perdus » in French)."""
from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from fidelia.sales.enums import STAGE_CONTEXT, stage_label
from fidelia.sales.models import PipelineStage

pytestmark = pytest.mark.django_db
KEY = f"{STAGE_CONTEXT}\x04Lost"   # how gettext stores a message with a context


@pytest.fixture
def french_stage_catalogue():
    """The French catalogue with the stage's own translation, as the translators will give it."""
    catalogue = trans_real.translation("fr")._catalog
    catalogue[KEY] = "Perdue"
    yield
    for part in catalogue._catalogs:
        part.pop(KEY, None)


def test_the_stage_label_uses_the_stage_context(french_stage_catalogue) -> None:
    with translation.override("fr"):
        assert translation.gettext("Lost") == "Perdus"    # the RFM segment keeps its plural
        assert stage_label("Lost") == "Perdue"
        assert stage_label("Démonstration") == "Démonstration"   # a name typed in is shown as typed
    with translation.override("en"):
        assert stage_label("Lost") == "Lost"


def test_the_board_and_the_settings_show_the_stage_label(client, personas, french_stage_catalogue) -> None:
    lost = PipelineStage.objects.get(name="Lost")
    client.force_login(personas.manager)
    client.cookies["django_language"] = "fr"
    board = client.get(reverse("sales:pipeline_board")).content.decode()
    assert f'id="stage-{lost.pk}">Perdue ' in board
    assert "Perdus" not in board
    settings_page = client.get(reverse("sales:pipeline_settings")).content.decode()
    assert 'value="Perdue"' in settings_page and 'value="Perdus"' not in settings_page
