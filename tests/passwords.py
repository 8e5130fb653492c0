"""The suite's password hasher: Django's PBKDF2 at a thousand rounds instead of a million.

A hash records its rounds ("pbkdf2_sha256$1000$…"), so a server or command the tests start, with
the product's hashers, still checks these passwords (and stores them again at full strength at
the first sign-in, as after an upgrade of Django). An MD5 hasher would be faster still, but the
product refuses MD5 hashes, so a user made here could not sign in to a server started here.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1000
