"""A lost phone: the operator removes the devices from the command line, audited; dry run by default."""
import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from fidelia.core.testing import confirmed_totp_device
from fidelia.privacy.models import AuditEntry


@pytest.mark.django_db
def test_dry_run_counts_and_apply_removes_and_audits(personas):
    confirmed_totp_device(personas.dpo)
    confirmed_totp_device(personas.alice)
    call_command("otp_reset", "dpo")
    assert TOTPDevice.objects.filter(user=personas.dpo).exists()
    assert not [e for e in AuditEntry.objects.all() if "otp_device_reset" in e.fields]

    call_command("otp_reset", "dpo", "--apply")
    assert not TOTPDevice.objects.filter(user=personas.dpo).exists()
    assert TOTPDevice.objects.filter(user=personas.alice).exists()
    [entry] = [e for e in AuditEntry.objects.all() if "otp_device_reset" in e.fields]
    assert entry.object_id == personas.dpo.pk and entry.channel == "cli" and entry.actor_username.startswith("cli:")


@pytest.mark.django_db
def test_an_unknown_user_is_a_usage_error(personas):
    with pytest.raises(CommandError, match="nobody"):
        call_command("otp_reset", "nobody", "--apply")


@pytest.mark.django_db
def test_after_a_reset_the_dpo_must_enrol_again(client, personas):
    from fidelia.core.testing import PASSWORD

    confirmed_totp_device(personas.dpo)
    call_command("otp_reset", "dpo", "--apply")
    response = client.post("/accounts/login/", {"username": "dpo", "password": PASSWORD})
    assert response.status_code == 302 and "two-factor/setup" in response["Location"]
