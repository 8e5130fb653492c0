"""The newsroom's CSV exports of subscribers, suppressions and digests."""

import csv
from collections.abc import Iterable, Iterator


class _Echo:
    def write(self, value: str) -> str:
        return value


def rows_as_csv(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """CSV lines, one at a time, so a list of 100,000 addresses is never held whole."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        # A cell opening with = + - @ is a formula to a spreadsheet: quote it as text (OWASP "CSV injection").
        yield writer.writerow([f"'{cell}" if isinstance(cell, str) and cell[:1] in "=+-@" else cell for cell in row])
