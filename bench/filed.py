"""A tag's and an author's pages, and a story's related stories, on a kept archive of any size.

    .venv/bin/python -m bench.filed --database-url postgres://postgres@127.0.0.1:PORT/search_million [--tag ID ...]

For the tag with the most stories, the author with the most, and each ``--tag`` given (a tag whose
stories are all old is the case to try), times page 1 and page 2 as the site reads them (the tag's
own rows, migration news/0013), the related stories chosen for its newest story, and, in the same
run, page 1 read as the join of stories and tags the site used before (what Django writes for
``Article.objects.visible().filter(tags=…)``).
"""

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(work, runs: int) -> str:
    took = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        took.append((time.perf_counter() - started) * 1000)
    return f"median {statistics.median(took):.1f} ms (fastest {min(took):.1f}, slowest {max(took):.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="the archive (default: the site's own database)")
    parser.add_argument("--tag", type=int, action="append", default=[], help="a tag's id (repeatable)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.database_url:
        os.environ["MASTHEAD_DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    sys.path.insert(0, os.path.join(ROOT, "src"))
    import django

    django.setup()
    from django.db.models import Count
    from django.utils import timezone

    from masthead.news import listing, publishing, storypage
    from masthead.news.models import Article, Author, Tag

    now = timezone.now()
    owners = [Tag.objects.annotate(n=Count("articles")).order_by("-n").first(),
              *Tag.objects.filter(pk__in=args.tag).annotate(n=Count("articles")),
              Author.objects.annotate(n=Count("articles")).order_by("-n").first()]
    print(f"{Article.objects.count():,} stories (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    for owner in filter(None, owners):
        kind = "tag" if isinstance(owner, Tag) else "author"
        read = storypage.filed_under(owner, at=now, language="en")
        first = listing.page_of(read, {})
        print(f"{kind} {owner.pk} ({owner.n:,} stories):")
        print(f"  page 1: {timed(lambda: listing.page_of(read, {}), args.runs)}")
        if first.older:
            print(f"  page 2: {timed(lambda: listing.page_of(read, {'before': first.older}), args.runs)}")
        joined = Article.objects.visible(at=now).filter(language="en", **{f"{kind}s": owner}).select_related("section", "lead_image")
        print(f"  page 1 as the join before: {timed(lambda: listing.paginate(joined, {}), max(1, args.runs // 2))}")
        if kind == "tag":
            story = Article.objects.filter(tags=owner).order_by("-pk").first()
            print(f"  related stories of its newest, {story.pk}: {timed(lambda: publishing.choose_related(story), args.runs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
