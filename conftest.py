import pytest

from fidelia.core.testing import Personas, make_personas


@pytest.fixture
def personas(db) -> Personas:
    return make_personas()


@pytest.fixture(autouse=True)
def english_by_default(settings) -> None:
    """Fidelia speaks French by default; tests read English unless they ask for French
    (Accept-Language or the language cookie), so their assertions stay readable."""
    settings.LANGUAGE_CODE = "en"
