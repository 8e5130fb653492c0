"""Compressing text responses, with the page timer's figure spliced into a stored gzip body.

A cached page is compressed once, when it is stored. Its footer holds a mark for the time this
response took ("Page Generated in N sec"), known only when the response is sent; rather than
compress the page again for each response, the text around each mark is compressed on its own,
ending in a full flush (byte-aligned, no reference back across it), and each response slips the
figure between those pieces as an uncompressed ("stored") deflate block (RFC 1951, 3.2.4). Only
the gzip trailer's CRC-32 must then be computed per response, over the figure and the text after
the first mark: the footer sits at the end of the page, so that is a few hundred bytes.

Responses that are not page-cached are compressed as they are sent, with Django's random padding
against BREACH (they may carry a CSRF token beside text a visitor chose).
"""

import struct
import zlib

from django.utils.text import compress_string

# Smaller bodies gain less than the Content-Encoding header costs.
MIN_BYTES = 200
COMPRESSIBLE_TYPES = ("text/", "application/json", "application/xml", "application/javascript",
                      "application/feed+json", "application/rss+xml", "application/atom+xml", "application/ld+json")
# gzip header: magic, deflate, no flags, no mtime (so equal pages compress to equal bytes), unknown OS.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
LEVEL = 6


def compressible(content_type: str) -> bool:
    """Whether a response of ``content_type`` is text worth compressing."""
    return content_type.startswith(COMPRESSIBLE_TYPES) or content_type.split(";")[0].endswith(("+xml", "+json"))


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` header admits gzip (``gzip;q=0`` refuses it; ``*`` admits it)."""
    if "gzip" not in accept_encoding and "*" not in accept_encoding:
        return False
    if ";" not in accept_encoding:
        return True  # no weights: every coding named is admitted (browsers send "gzip, deflate, br")
    admitted = {}
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        quality = 1.0
        params = params.strip().replace(" ", "")
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        admitted[name.strip().lower()] = quality
    return admitted.get("gzip", admitted.get("x-gzip", admitted.get("*", 0.0))) > 0


def gzip_etag(etag: str) -> str:
    """The ETag of the gzip form of a representation whose ETag is ``etag``."""
    return etag[:-1] + '-gz"' if etag.endswith('"') else etag + "-gz"


def gzip_pieces(body: bytes, mark: bytes) -> tuple[bytes, ...]:
    """``body`` gzipped as pieces between occurrences of ``mark``, to be joined by ``gzip_fill``."""
    texts = body.split(mark)
    pieces = []
    for number, text in enumerate(texts):
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        last = number == len(texts) - 1
        pieces.append(compressor.compress(text) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH))
    pieces[0] = GZIP_HEADER + pieces[0]
    return tuple(pieces)


def gzip_fill(pieces: tuple[bytes, ...], *, head_crc: int, head_size: int, tail: tuple[bytes, ...], filler: bytes) -> bytes:
    """The gzip body of ``gzip_pieces`` with each mark replaced by ``filler``.

    ``head_crc`` and ``head_size`` are the CRC-32 and length of the text before the first mark,
    ``tail`` the texts after each mark (computed once when the page is stored).
    """
    if len(pieces) == 1:
        return pieces[0] + struct.pack("<II", head_crc, head_size & 0xFFFFFFFF)
    stored = b"\x00" + struct.pack("<HH", len(filler), len(filler) ^ 0xFFFF) + filler
    crc, size, parts = head_crc, head_size, [pieces[0]]
    for piece, text in zip(pieces[1:], tail):
        crc = zlib.crc32(text, zlib.crc32(filler, crc))
        size += len(filler) + len(text)
        parts += (stored, piece)
    parts.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(parts)


def gzip_now(body: bytes) -> bytes:
    """``body`` gzipped for one response, padded at random against BREACH."""
    return compress_string(body, max_random_bytes=100)
