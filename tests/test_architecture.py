"""The map of the apps (README, "Architecture"): imports run one way, down the layers, never up or in circles."""

import ast
from fnmatch import fnmatchcase
from pathlib import Path

import masthead

# Lowest first. A module belongs to the most specific pattern that names it (most dotted parts);
# it may import its own layer or a lower one.
LAYERS = [
    ("ground", ["masthead.house", "masthead.sanitize", "masthead.characters", "masthead.media", "masthead.delivery",
                "masthead.ratelimit", "masthead.replicas", "masthead.rediscache", "masthead.accounts", "masthead.parameters",
                "masthead.jsonerrors", "masthead.editions", "masthead.viewonly", "masthead.fragments",
                "masthead.shadowtables"]),
    ("news", ["masthead.news", "masthead.newsroom.models"]),
    ("apps hanging off stories", ["masthead.search", "masthead.comments", "masthead.syndication", "masthead.epaper",
                                  "masthead.newsletters", "masthead.live",
                                  "masthead.audience"]),
    ("the story service", ["masthead.stories"]),
    ("entrances", ["masthead.newsroom", "masthead.syndication.api", "masthead.live.api", "masthead.ingest", "masthead.news.demo",
                   "masthead.live.demo",
                   "masthead.backups", "masthead.*.management"]),
    ("wiring", ["masthead", "masthead.*.urls", "masthead.*.migrations", "masthead.templating"]),
]
SOURCE = Path(masthead.__file__).resolve().parent


def layer_of(module: str) -> tuple[int, str]:
    """The index and name of the layer ``module`` belongs to."""
    best = None
    for index, (name, patterns) in enumerate(LAYERS):
        for pattern in patterns:
            depth = pattern.count(".") + 1
            head = ".".join(module.split(".")[:depth])
            if fnmatchcase(head, pattern) and (best is None or depth > best[0]):
                best = (depth, index, name)
    return best[1], best[2]


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.AST, root: Path) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] == root.name]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == root.name:
        found = []
        for alias in node.names:  # ``from masthead import search`` imports the module masthead.search
            candidate = f"{node.module}.{alias.name}"
            folder = root.parent.joinpath(*candidate.split("."))
            found.append(candidate if folder.is_dir() or folder.with_suffix(".py").exists() else node.module)
        return found
    return []


def imports(root: Path) -> list[tuple[str, str, int, str]]:
    """Every import of the package at ``root`` by one of its modules: (importer, file, line, imported)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        importer = _module_name(path, root)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            found += [(importer, str(path.relative_to(root.parent)), node.lineno, name) for name in _imported(node, root)]
    return found


def crossings(root: Path) -> list[str]:
    """Each import that climbs the map, or makes two apps of one layer import each other, described."""
    problems, pairs = [], {}
    for importer, where, line, name in imports(root):
        (low, low_name), (high, high_name) = layer_of(name), layer_of(importer)
        if low > high:
            problems.append(f"{where}:{line}: {importer} ({high_name}) imports {name} ({low_name}), a higher layer")
        elif low == high and importer.split(".")[:2] != name.split(".")[:2] and low_name != "ground":
            pairs.setdefault((importer.split(".")[1], name.split(".")[1]), f"{where}:{line}")
    for (one, other), where in sorted(pairs.items()):
        if (other, one) in pairs and one < other:
            problems.append(f"{where}: {one} and {other} import each other ({pairs[(other, one)]})")
    return problems


def test_no_import_crosses_the_map_upward():
    assert crossings(SOURCE) == []


def test_the_map_places_the_modules_the_issue_names():
    assert layer_of("masthead.news.publishing")[1] == "news"
    assert layer_of("masthead.syndication.websub")[1] == "apps hanging off stories"
    assert layer_of("masthead.syndication.api")[1] == "entrances"
    assert layer_of("masthead.stories.changes")[1] == "the story service"
    assert layer_of("masthead.news.management.commands.demo")[1] == "entrances"


def test_an_upward_import_fails_the_check(tmp_path):
    """news importing search, or the service importing an entrance, is named with its file and line."""
    package = tmp_path / "masthead"
    for folder in ("news", "search", "stories", "newsroom"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "news" / "publishing.py").write_text("from masthead import search\n")
    (package / "stories" / "changes.py").write_text("import os\n\n\ndef f():\n    from masthead.newsroom import desk\n")
    (package / "newsroom" / "desk.py").write_text("from masthead.stories import changes\n")
    (package / "search" / "query.py").write_text("from masthead.news.models import Article\n")
    assert crossings(package) == [
        "masthead/news/publishing.py:1: masthead.news.publishing (news) imports masthead.search "
        "(apps hanging off stories), a higher layer",
        "masthead/stories/changes.py:5: masthead.stories.changes (the story service) imports masthead.newsroom.desk "
        "(entrances), a higher layer",
    ]


def test_two_apps_of_one_layer_importing_each_other_fail_the_check(tmp_path):
    package = tmp_path / "masthead"
    for folder in ("search", "comments"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "search" / "text.py").write_text("from masthead.comments import models\n")
    (package / "comments" / "models.py").write_text("from masthead.search import text\n")
    assert crossings(package) == ["masthead/comments/models.py:1: comments and search import each other "
                                  "(masthead/search/text.py:1)"]
