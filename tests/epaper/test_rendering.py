"""Rendering one page: its three image sizes and its text, in a process of its own (no Django)."""

from PIL import Image

from masthead.epaper.rendering import SIZES, image_name, render_page
from tests.epaper.factories import write_pdf


def test_each_size_keeps_the_page_s_colours_and_shape(tmp_path):
    """A red page is red at every size, not blue (PDFium draws BGR unless asked), and no size is stretched."""
    Image.new("RGB", (600, 800), (220, 30, 40)).save(tmp_path / "red.pdf")
    found = render_page(str(tmp_path / "red.pdf"), str(tmp_path), 4)
    assert (found["number"], found["width"], found["height"]) == (4, 600.0, 800.0)  # points: Pillow writes 72 dpi
    for size, width in SIZES.items():
        with Image.open(tmp_path / image_name(4, size)) as image:
            assert image.mode == "RGB" and image.width == width
            assert abs(image.height - width * 800 / 600) <= 1
            red, green, blue = image.getpixel((image.width // 2, image.height // 2))
            assert red > 200 and green < 60 and blue < 60, (size, (red, green, blue))


def test_the_text_layer_is_read_and_small_sizes_still_show_it(tmp_path):
    write_pdf(tmp_path / "page.pdf", [["Leave the region"]], width=842, height=1191)
    found = render_page(str(tmp_path / "page.pdf"), str(tmp_path), 1)
    assert found["text"] == "Leave the region"
    with Image.open(tmp_path / image_name(1, "thumb")) as thumb:
        # The words leave grey pixels even 160 pixels wide: drawn at that size, not lost in a resampling.
        assert thumb.convert("L").getextrema()[0] < 200
