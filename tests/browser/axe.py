"""axe-core's accessibility check of a page open in Chromium, the one way every browser test runs it.

axe-core is pinned in the Makefile and installed under var/tools by ``make test``
(``MASTHEAD_AXE_JS`` names another copy). It goes in through Playwright's evaluate, which the
page's Content-Security-Policy does not govern, so a page keeps its own policy while it is checked.
"""

import os
from pathlib import Path

from tests.conftest import need

AXE = Path(os.environ.get("MASTHEAD_AXE_JS", Path(__file__).resolve().parents[2] / "var/tools/node_modules/axe-core/axe.min.js"))


def violations(page) -> list[str]:
    """What axe-core finds wrong on the page as it stands (WCAG 2.1 A and AA, best practice), one line
    per rule: its id, its help text and where."""
    if not AXE.exists():
        need("axe-core", "npm install --prefix var/tools axe-core (make test does)")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    return page.evaluate("""async () => (await axe.run(document)).violations.map(
        v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)""")
