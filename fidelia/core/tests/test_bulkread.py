"""COPY reads: the rows of the query, typed, NULL as 0, None for no row."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from django.db import connection

from fidelia.core import bulkread


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")


@pytest.mark.django_db
def test_columns_are_the_rows_of_the_query() -> None:
    cols = bulkread.copy_columns(
        "SELECT n, CASE WHEN n %% 3 = 0 THEN NULL ELSE n * 2 END, (n / 4.0)::numeric(12, 2) "
        "FROM generate_series(1, %s) n WHERE n %% %s <> 0", [10_000, 7],
        types=[pa.int64(), pa.int64(), pa.float64()], work_mem="64MB")
    assert cols is not None
    n = np.arange(1, 10_001)
    n = n[n % 7 != 0]
    assert np.array_equal(cols[0], n)
    assert np.array_equal(cols[1], np.where(n % 3 == 0, 0, n * 2))
    assert np.array_equal(np.rint(cols[2] * 100), np.rint(n * 25.0))


@pytest.mark.django_db
def test_no_row_gives_none() -> None:
    assert bulkread.copy_columns("SELECT n FROM generate_series(1, 3) n WHERE n < %s", [0], types=[pa.int64()]) is None
