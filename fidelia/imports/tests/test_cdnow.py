from decimal import Decimal

import pytest

from fidelia.imports.enums import RunStatus
from fidelia.imports.models import ImportedRecord
from fidelia.imports.testing import import_cdnow
from fidelia.parties.models import Party
from fidelia.sales.models import Transaction

pytestmark = pytest.mark.django_db


def test_cdnow_sample_imports_every_non_zero_line_once(personas):
    run = import_cdnow(actor=personas.admin)
    assert run.status == RunStatus.DONE, run.message
    zero_lines = 0
    lines = 0
    customers = set()
    total = Decimal(0)
    with open("/work/shared/data/cdnow/CDNOW_sample.txt") as f:
        for line in f:
            cid, _sid, _date, _n, value = line.split()
            lines += 1
            if Decimal(value) != 0:
                customers.add(cid)
            if Decimal(value) == 0:
                zero_lines += 1
            total += Decimal(value)
    assert Transaction.objects.count() == lines - zero_lines
    assert run.counts["create"] == lines - zero_lines
    assert run.counts["error"] == zero_lines
    assert Party.objects.count() == len(customers)
    assert sum(Transaction.objects.values_list("amount", flat=True)) == total
    assert ImportedRecord.objects.filter(target="parties").count() == len(customers)
    # the whole file again: nothing changes
    again = import_cdnow(actor=personas.admin)
    assert again.counts["create"] == 0
    assert again.counts["unchanged"] == lines - zero_lines
    assert Transaction.objects.count() == lines - zero_lines
    assert Party.objects.count() == len(customers)
