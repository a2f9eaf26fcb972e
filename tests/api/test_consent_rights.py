"""Who may record a consent decision: the file's writers, plus the call centre and the DPO."""
import pytest
from django.test import Client
from django.urls import reverse

from fidelia.core.testing import PASSWORD
from fidelia.parties.models import ConsentRecord
from fidelia.parties.tests import factories

ALLOWED = {"alice", "manager", "admin", "service", "dpo"}
DENIED = {"bob", "outsider", "marketing", "analyst"}


@pytest.mark.parametrize("who", sorted(ALLOWED | DENIED))
def test_recording_consent_through_the_api(personas, api_as, who):
    party = factories.person(owner=personas.alice)
    response = api_as(personas.by_role()[who]).post_json(
        f"/api/parties/{party.pk}/consents",
        {"channel": "phone", "purpose": "prospecting", "granted": False, "source": "phone",
         "wording": "Ne plus m'appeler"})
    if who in ALLOWED:
        assert response.status_code == 201, response.content
        assert ConsentRecord.objects.get(party=party).recorded_by == personas.by_role()[who]
    else:
        assert response.status_code == 404
        assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize("who", sorted(ALLOWED | DENIED))
def test_recording_consent_from_the_360_page(personas, who):
    party = factories.person(owner=personas.alice)
    client = Client()
    assert client.login(username=personas.by_role()[who].username, password=PASSWORD)
    page = client.get(reverse("parties:detail", args=[party.pk]))
    response = client.post(reverse("parties:consent_add", args=[party.pk]), {
        "consent-channel": "email", "consent-purpose": "newsletter", "consent-granted": "1",
        "consent-source": "phone", "consent-wording": "Accord oral"}, HTTP_HX_REQUEST="true")
    if who in ALLOWED:
        assert response.status_code == 200 and ConsentRecord.objects.filter(party=party).count() == 1
        assert "Record a consent" in page.content.decode() or "consentement" in page.content.decode()
    else:
        assert response.status_code == 404 and not ConsentRecord.objects.exists()
