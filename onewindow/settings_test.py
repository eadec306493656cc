"""Settings for the test suite and type checking: production settings with a throwaway secret key."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789abcdef")

from onewindow.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing in tests only

# Keep the test connection open however long a test runs: the task worker run inside a test calls
# close_old_connections(), which would otherwise close the connection holding the test transaction.
DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
