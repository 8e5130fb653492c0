"""Rebuild the search index and the headline words while readers search and an editor saves.

    .venv/bin/python -m bench.rebuild --database-url postgres://postgres@127.0.0.1:PORT/search_million

Runs ``masthead rebuild_search_index`` in a process of its own on a kept PostgreSQL archive
(``bench/search.py --database-url`` builds one), and meanwhile, here, searches for a headline word
and saves one of the newest stories through the story service (a word of its own added to its
headline), one of each every ``--pause`` seconds. Prints the command's time, what the searches
and saves took, and any that failed, then checks that each story saved meanwhile is found by its
new word, in the search index and in the headline words, as the rebuild left them. Exits 1 if a
search or a save failed or a saved story is not found.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a kept PostgreSQL archive")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between one search and save and the next")
    args = parser.parse_args()
    os.environ["MASTHEAD_DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    sys.path.insert(0, os.path.join(ROOT, "src"))
    import django

    django.setup()
    from masthead import search
    from masthead.news.models import Article, HeadlineWord
    from masthead.stories import changes, rules

    editor = rules.System("bench")
    # Stories a reader can find (a scheduled one is indexed but not shown until its time).
    stories = list(Article.objects.visible().order_by("-pk").values_list("pk", "headline")[:500])
    words = [headline.split()[0] for _, headline in stories]
    began = time.monotonic()
    command = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "masthead"), "rebuild_search_index", "-v", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    said = []
    threading.Thread(target=lambda: said.extend(command.stdout), daemon=True).start()
    searches, saves, failed, marks = [], [], [], {}
    n = 0
    while command.poll() is None:
        started = time.perf_counter()
        try:
            search.search(words[n % len(words)])
            searches.append((time.perf_counter() - started) * 1000)
        except Exception as error:  # counted and shown: the drill is about what fails
            failed.append(f"search: {error}")
        pk, headline = stories[n % len(stories)]
        mark = f"rebuilt{n}"
        started = time.perf_counter()
        try:
            changes.edit(pk, by=editor, values={"headline": f"{headline} {mark}"})
            saves.append((time.perf_counter() - started) * 1000)
            marks[pk] = mark
        except Exception as error:
            failed.append(f"save: {error}")
        n += 1
        time.sleep(args.pause)
    seconds = time.monotonic() - began
    missing = [pk for pk, mark in marks.items()
               if [hit.article.pk for hit in search.search(mark).hits] != [pk]
               or list(HeadlineWord.matching(mark).values_list("article_id", flat=True)) != [pk]]
    for pk, headline in stories:  # the stories as they were
        if pk in marks:
            changes.edit(pk, by=editor, values={"headline": headline})

    def summary(values: list[float]) -> str:
        values = sorted(values)
        return (f"{len(values)}: p50 {statistics.median(values):.1f} ms, p99 {values[int(0.99 * (len(values) - 1))]:.1f} ms, "
                f"slowest {values[-1]:.1f} ms") if values else "none"

    print(f"rebuild_search_index: {seconds:.0f} s, exit status {command.returncode}; {said[-1].strip() if said else ''}")
    print(f"searches meanwhile {summary(searches)}")
    print(f"saves meanwhile {summary(saves)}")
    print(f"failed: {len(failed)}" + "".join(f"\n  {line}" for line in failed[:10]))
    print(f"saved meanwhile and not found by their new word afterwards: {len(missing)} of {len(marks)}")
    return 1 if failed or missing or command.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
