"""Who may do what to a story: the one table, asked by the desk, the API and the migration making the roles.

reporter   writes and edits own drafts, submits them for review, uploads pictures;
           posts updates to a running live story, corrects and deletes own updates
editor     edits anything, publishes, schedules, unpublishes, corrects, flags breaking news;
           starts and ends live coverage, pins updates, marks key events, changes any update
moderator  comments only (the comments app grants its permissions to this group)
admin      people, roles, sections and author profiles
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

REPORTER, EDITOR, MODERATOR, ADMIN = "reporter", "editor", "moderator", "admin"

_WRITING = [
    "news.view_article", "news.add_article", "news.change_article",
    "news.view_section", "news.view_tag", "news.add_tag", "news.view_author",
    "media.view_image", "media.add_image",
    "newsroom.view_revision", "newsroom.view_statechange",
]
PERMISSIONS = {
    REPORTER: _WRITING,
    EDITOR: _WRITING + [
        "news.publish_article", "news.edit_any_article", "news.correct_article",
        "news.view_correction", "news.add_correction", "news.change_tag",
        "news.add_author", "news.change_author", "media.change_image",
        # Editors moderate comments too; as permissions, so each check is answered from the
        # user's permission cache rather than a query per admin link.
        "comments.view_comment", "comments.change_comment", "comments.moderate_comment",
        "newsletters.view_digest", "newsletters.send_special_digest",
    ],
    MODERATOR: [],
    ADMIN: [
        "auth.view_user", "auth.add_user", "auth.change_user", "auth.delete_user",
        "auth.view_group", "auth.add_group", "auth.change_group",
        "news.view_section", "news.add_section", "news.change_section", "news.delete_section",
        "news.view_author", "news.add_author", "news.change_author",
        "news.view_tag", "news.change_tag", "news.delete_tag",
        "accounts.view_auditentry", "syndication.view_apitoken", "syndication.change_apitoken",
    ],
}


@dataclass(frozen=True)
class System:
    """A change made by the product itself (the demo loader, an import run without an account), named in the audit."""

    name: str

    is_active = True
    pk = None

    def has_perm(self, permission: str) -> bool:
        return True

    def get_username(self) -> str:
        return self.name


def ensure_roles(apps=None, *, strict: bool = True) -> None:
    """Create the role groups (by name, so other apps may add to them) and grant each its permissions.

    ``strict=False`` (as in the migration, which runs before later apps' permissions exist) grants
    what exists and skips the rest."""
    if apps is None:
        from django.apps import apps
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, names in PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = [tuple(name.split(".", 1)) for name in names]
        found = [p for p in permission_model.objects.select_related("content_type")
                 if (p.content_type.app_label, p.codename) in wanted]
        missing = set(wanted) - {(p.content_type.app_label, p.codename) for p in found}
        if missing and strict:
            raise RuntimeError(f"Role {role!r} names permissions that do not exist: {sorted(missing)}")
        group.permissions.add(*found)


def can_create(user) -> bool:
    return user.is_active and user.has_perm("news.add_article")


def can_publish(user) -> bool:
    """Publish, schedule, unpublish, return to draft, flag breaking news, and change a live story."""
    return user.is_active and user.has_perm("news.publish_article")


def can_correct(user) -> bool:
    return user.is_active and user.has_perm("news.correct_article")


def can_edit(user, article) -> bool:
    """Editors edit any story; a reporter edits only a draft of their own."""
    if not (user.is_active and user.has_perm("news.change_article")):
        return False
    if user.has_perm("news.edit_any_article") or article is None or article.pk is None:
        return True
    return article.created_by_id == user.pk and article.status == "draft"


def can_see(user, article) -> bool:
    """Who may read a story readers cannot see yet: editors, and the account that wrote it."""
    if not (user.is_active and (user.has_perm("news.view_article") or user.has_perm("news.change_article"))):
        return False
    return user.has_perm("news.edit_any_article") or (article.created_by_id is not None and article.created_by_id == user.pk)


def require(allowed: bool, message: str) -> None:
    """Refuse with ``message`` (PermissionDenied) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message)


def can_run_coverage(user) -> bool:
    """Start and end a story's live coverage, pin updates, mark key events, change anyone's update."""
    return can_publish(user)


def can_post_update(user) -> bool:
    """Post an update to a running live story: reporters and editors."""
    return can_create(user)


def can_change_update(user, update) -> bool:
    """Correct or delete an update: its own author (a reporter or editor), or any editor."""
    return can_run_coverage(user) or (can_post_update(user) and update.author_id is not None
                                      and update.author_id == user.pk)
