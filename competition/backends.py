"""Authentication without Django's model permissions.

Who may do what is decided by the role predicates (django-rules, the
``rules.py`` of each app) and nothing else. Django's ``ModelBackend`` would
also answer ``has_perm`` from groups, per-user permissions and
``is_superuser``; this backend keeps only its password check, so a superuser
or an account given model permissions is exactly its role everywhere.
"""

from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    """Signs in by username and password; grants no permission at all."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False
