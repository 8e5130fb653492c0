"""Importing a printed issue: split, rendered, read and stored all at once, or not at all."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import Image
from pypdf import PdfReader, PdfWriter

from masthead.epaper.importing import ImportRefused, import_issue
from masthead.epaper.models import Issue, Page
from tests.epaper.factories import make_issue, pdf_bytes, write_pdf

pytestmark = pytest.mark.django_db
DAY = dt.date(2021, 4, 12)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files(media: Path) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()} if media.exists() else set()


def test_a_whole_issue_pdf_becomes_pages_with_images_pdfs_and_text(tmp_path, media):
    """Each page gets its own PDF, three JPEG renditions and its text layer; the issue keeps the PDF as sent."""
    source = write_pdf(tmp_path / "issue.pdf", [["Leave the region"], ["Oil exports rise"]], width=842, height=1191)
    result = import_issue(source, date=DAY, number=302)
    issue = result.issue
    assert (result.pages, result.changed) == (2, True)
    assert (issue.date, issue.kind, issue.number, issue.slug) == (DAY, "daily", 302, "")
    pages = list(issue.pages.all())
    assert [(p.number, p.width, p.height, p.text) for p in pages] == [
        (1, 842.0, 1191.0, "Leave the region"), (2, 842.0, 1191.0, "Oil exports rise")]
    folder = media / issue.folder
    assert (folder / "issue.pdf").read_bytes() == source.read_bytes()
    assert len(PdfReader(folder / "2.pdf").pages) == 1
    assert "Oil exports rise" in PdfReader(folder / "2.pdf").pages[0].extract_text()
    with Image.open(folder / "1-large.jpg") as large, Image.open(folder / "1-thumb.jpg") as thumb:
        assert large.size == (2400, round(2400 * 1191 / 842))
        assert thumb.width == 160
        # The frame drawn round the page is dark on the rendition: the page was really rendered.
        assert large.convert("L").getpixel((round(20 * 2400 / 842), 400)) < 100


def test_a_folder_of_page_pdfs_is_read_in_natural_page_order(tmp_path, media):
    """page-10.pdf comes after page-9.pdf, and the issue PDF is the pages joined."""
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(1, 11):
        write_pdf(folder / f"page-{n}.pdf", [[f"Page word{n}"]])
    (folder / "notes.txt").write_text("not a page")
    issue = import_issue(folder, date=DAY).issue
    assert [p.text for p in issue.pages.all()] == [f"Page word{n}" for n in range(1, 11)]
    whole = PdfReader(media / issue.folder / "issue.pdf")
    assert len(whole.pages) == 10 and "word10" in whole.pages[9].extract_text()


def test_importing_the_same_issue_again_changes_nothing(tmp_path, media):
    source = write_pdf(tmp_path / "issue.pdf", [["One"], ["Two"]])
    first = import_issue(source, date=DAY, number=7).issue
    files = _files(media)
    again = import_issue(source, date=DAY, number=7)
    assert again.changed is False
    assert again.issue.pk == first.pk
    assert _files(media) == files


def test_a_reimport_replaces_the_issue_whole_and_keeps_corrections_of_unchanged_pages(tmp_path, media,
                                                                                     django_capture_on_commit_callbacks):
    """The old pages and files go; an editor's text stays on a page whose PDF did not change."""
    with django_capture_on_commit_callbacks(execute=True):
        first = import_issue(write_pdf(tmp_path / "a.pdf", [["Same page"], ["Old page two"], ["Old three"]]), date=DAY).issue
    Page.objects.filter(issue=first, number=1).update(corrected_text="Same page, as the editor wrote it")
    Page.objects.filter(issue=first, number=2).update(corrected_text="Old correction")
    with django_capture_on_commit_callbacks(execute=True):
        second = import_issue(write_pdf(tmp_path / "b.pdf", [["Same page"], ["New page two"]]), date=DAY).issue
    assert Issue.objects.count() == 1
    assert [(p.number, p.text, p.corrected_text) for p in second.pages.all()] == [
        (1, "Same page", "Same page, as the editor wrote it"), (2, "New page two", "")]
    assert not (media / first.folder).exists()
    assert {str(Path(f).parent) for f in _files(media)} == {second.folder}


@pytest.mark.parametrize(("content", "message"), [
    (b"PK\x03\x04 this is a zip file", "issue.pdf: is not a PDF (it does not begin with %PDF-)"),
    (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer garbage", "issue.pdf: is damaged and cannot be read"),
    (pdf_bytes([["a"], ["b"]])[:200], "issue.pdf: is damaged and cannot be read"),
])
def test_a_damaged_or_foreign_file_is_refused_and_leaves_nothing(tmp_path, media, content, message):
    (tmp_path / "issue.pdf").write_bytes(content)
    with pytest.raises(ImportRefused) as refused:
        import_issue(tmp_path / "issue.pdf", date=DAY)
    assert str(refused.value).startswith(message)
    assert Issue.objects.count() == 0 and Page.objects.count() == 0
    assert _files(media) == set()


def test_an_encrypted_pdf_is_refused_and_the_issue_before_it_is_untouched(tmp_path, media):
    before = make_issue(tmp_path)
    files = _files(media)
    writer = PdfWriter(clone_from=write_pdf(tmp_path / "plain.pdf", [["Secret"]]))
    writer.encrypt(user_password="", owner_password="owner")
    with open(tmp_path / "locked.pdf", "wb") as out:
        writer.write(out)
    with pytest.raises(ImportRefused, match=r"^locked\.pdf: is encrypted; ask for the PDF without a password"):
        import_issue(tmp_path / "locked.pdf", date=DAY)
    assert list(Issue.objects.values_list("pk", "fingerprint")) == [(before.pk, before.fingerprint)]
    assert _files(media) == files


def test_a_number_held_by_another_issue_is_refused_by_name(tmp_path, media):
    make_issue(tmp_path, date=DAY, number=302)
    with pytest.raises(ImportRefused, match=r"^--number 302: is already the number of the daily issue of 2021-04-12$"):
        make_issue(tmp_path, date=DAY + dt.timedelta(days=1), number=302)
    assert Issue.objects.count() == 1
    assert len({Path(f).parts[1] for f in _files(media)}) == 1


def test_a_special_has_its_own_address_and_numbering(tmp_path):
    daily = make_issue(tmp_path, number=1)
    special = make_issue(tmp_path, number=1, special="Nowruz 1400")
    assert (special.kind, special.slug, special.title) == ("special", "nowruz-1400", "Nowruz 1400")
    assert daily.get_absolute_url() == "/epaper/2021-04-12/"
    assert special.get_absolute_url() == "/epaper/special/2021-04-12/nowruz-1400/"


def test_the_command_imports_and_says_so(tmp_path, capsys):
    source = write_pdf(tmp_path / "issue.pdf", [["One"], ["Two"]])
    call_command("epaper_import", str(source), "--date", "2021-04-12", "--number", "9", verbosity=2)
    out = capsys.readouterr().out
    assert "rendered 2/2 pages" in out
    assert "Imported Daily 2021-04-12 with 2 pages at /epaper/2021-04-12/" in out
    call_command("epaper_import", str(source), "--date", "2021-04-12", "--number", "9")
    assert "Unchanged: Daily 2021-04-12 with 2 pages" in capsys.readouterr().out


def test_the_command_refuses_a_bad_date_and_a_missing_file_clearly(tmp_path):
    with pytest.raises(CommandError, match=r"^--date '2021-13-01': is not a date like 2021-04-12$"):
        call_command("epaper_import", str(tmp_path), "--date", "2021-13-01")
    with pytest.raises(CommandError, match=r"nope\.pdf: no such file or folder\. Nothing was imported\.$"):
        call_command("epaper_import", str(tmp_path / "nope.pdf"), "--date", "2021-04-12")
    with pytest.raises(CommandError, match=r"the folder holds no \.pdf files"):
        call_command("epaper_import", str(tmp_path), "--date", "2021-04-12")
