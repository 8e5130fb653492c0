import io
import zipfile

import pytest

from masthead.ingest import sources
from masthead.ingest.items import ImportFailed
from masthead.news.models import Article
from tests.ingest.factories import FIXTURE, ninjs_story, run_import, write_jsonl

PAGE = FIXTURE.read_bytes()


def page(news_id: int) -> bytes:
    return PAGE.replace(b"302104", str(news_id).encode())


def names(found) -> list[str]:
    return [entry.name if isinstance(entry, sources.Input) else f"FAILED {entry}" for entry in found]


def test_a_folder_is_walked_recursively_in_name_order_skipping_hidden_files(tmp_path):
    (tmp_path / "2021" / "04").mkdir(parents=True)
    (tmp_path / "2021" / "04" / "b.txt").write_bytes(page(2))
    (tmp_path / "2021" / "a.txt").write_bytes(page(1))
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    assert names(sources.inputs([str(tmp_path)])) == [f"{tmp_path}/2021/a.txt", f"{tmp_path}/2021/04/b.txt"]


def test_a_missing_path_is_reported():
    assert names(sources.inputs(["/nonexistent/archive"])) == ["FAILED /nonexistent/archive: no such file or folder"]


def test_zip_entries_cannot_escape_their_folder(tmp_path):
    archive = tmp_path / "old-site.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("News/1.txt", page(1))
        out.writestr("../../etc/cron.d/evil.txt", page(2))
        out.writestr("/abs/3.txt", page(3))
    assert names(sources.inputs([str(archive)])) == [
        f"FAILED {archive}/../../etc/cron.d/evil.txt: entry would escape the archive's folder: refused",
        f"FAILED {archive}//abs/3.txt: entry would escape the archive's folder: refused",
        f"{archive}/News/1.txt",
    ]


def test_a_zip_bomb_is_refused(tmp_path):
    """An entry that inflates a thousandfold is refused before it is read."""
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr("wire.jsonl", b"\n" * (20 * 1024 * 1024))
    [found] = sources.inputs([str(archive)])
    assert isinstance(found, ImportFailed)
    assert "refused as a zip bomb" in str(found)


@pytest.mark.django_db
def test_a_zip_entry_cannot_inflate_past_its_declared_size(tmp_path):
    """A header that lies about the size is caught while reading, not trusted."""
    archive = tmp_path / "liar.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("a.txt", b"x" * 1000)
    data = bytearray(archive.read_bytes())
    # Shrink the declared size in the central directory (the local header is not consulted).
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (10).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    result = run_import(archive)
    assert result.returncode == 1
    assert f"failed: {archive}/a.txt: could not be read to the end: Bad CRC-32" in result.stderr


def test_an_overlong_line_is_skipped_without_reading_it_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_LINE_BYTES", 1000)
    path = tmp_path / "wire.jsonl"
    path.write_bytes(b'{"a": 1}\n' + b"x" * 50_000 + b"\n" + b'{"b": 2}\n')
    [entry] = sources.inputs([str(path)])
    lines = list(entry.lines(limit=1000))
    assert lines[0] == (1, b'{"a": 1}\n')
    assert isinstance(lines[1][1], ImportFailed)
    assert str(lines[1][1]) == f"{path}:2: line is longer than 1000 bytes: skipped"
    assert lines[2] == (3, b'{"b": 2}\n')


def test_a_document_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "huge.json"
    path.write_bytes(b"[" + b" " * 5000 + b"]")
    [entry] = sources.inputs([str(path)])
    with pytest.raises(ImportFailed, match="more than the 1.0 kB a document may have"):
        entry.read_all(limit=1024)


@pytest.mark.django_db
def test_imports_from_a_zip_and_from_standard_input(tmp_path):
    archive = tmp_path / "old-site.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr("News/1.txt", page(1))
        out.writestr("News/2.txt", page(2))
        out.writestr("../escape.txt", page(3))
    result = run_import(archive)
    assert result.returncode == 1
    assert "2 created" in result.stdout and "1 failed" in result.stdout
    assert sorted(Article.objects.values_list("pk", flat=True)) == [1, 2]

    result = run_import("-", stdin=page(4))
    assert result.returncode == 0 and "1 created" in result.stdout
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("5.txt", page(5))
    assert "1 created" in run_import("-", stdin=buffer.getvalue()).stdout
    assert sorted(Article.objects.values_list("pk", flat=True)) == [1, 2, 4, 5]


@pytest.mark.django_db
def test_a_2_gb_line_is_refused_cleanly(tmp_path, monkeypatch):
    """A line past the limit fails alone; the lines around it are imported."""
    monkeypatch.setattr(sources, "MAX_LINE_BYTES", 4096)
    path = write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1), ninjs_story(2, body_html="<p>" + "x" * 10_000 + "</p>"), ninjs_story(3)])
    result = run_import(path)
    assert result.returncode == 1
    assert f"{path}:2: line is longer than 4.0 kB: skipped" in result.stderr
    assert "2 created" in result.stdout
