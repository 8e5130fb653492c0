"""The print view carries a QR code of the story's own address, as an inline SVG."""

import re

import pytest
import zxingcpp
from PIL import Image as PILImage

from tests.news.factories import make_article

pytestmark = pytest.mark.django_db


def _modules(svg: str) -> list[list[bool]]:
    """The dark modules of segno's inline SVG: each path segment ``M x y.5 h n`` (and ``m dx dy h n``) is a run."""
    path = re.search(r'<path stroke="#000" d="([^"]+)"', svg).group(1)
    size = int(re.search(r'<path fill="#fff" d="M0 0h(\d+)v', svg).group(1))
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for command, a, b in re.findall(r"([MmHhVv])(-?[\d.]+)(?:\s+(-?[\d.]+))?", path.replace("h", " h").replace("m", " m")):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        elif command == "h":
            for dx in range(int(float(a))):
                grid[int(y)][int(x) + dx] = True
            x += float(a)
    return grid


def test_the_print_view_has_a_qr_code_of_the_storys_address(client, settings):
    settings.SITE_URL = "https://iran-daily.example"
    story = make_article(headline="Leave the region")
    html = client.get(story.get_absolute_url() + "print/").content.decode()
    svg = html[html.index('<svg'):html.index("</svg>") + 6]
    address = f"https://iran-daily.example{story.get_absolute_url()}"
    assert 'class="address-code"' in svg and f"<title>{address}</title>" in svg
    assert "<script" not in svg and "style=" not in svg  # the page's CSP allows neither inline
    # Drawn back from its SVG paths at four pixels a module and read by an independent decoder
    # (zxing-cpp), as a phone's camera would read the printout.
    drawn = _modules(svg)
    picture = PILImage.new("L", (len(drawn), len(drawn)), 255)
    picture.putdata([0 if dark else 255 for row in drawn for dark in row])
    picture = picture.resize((len(drawn) * 4, len(drawn) * 4), PILImage.Resampling.NEAREST)
    found = zxingcpp.read_barcodes(picture)
    assert [code.text for code in found] == [address]
