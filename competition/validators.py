"""Rules shared by models, forms and serializers.

The password validators of ``AUTH_PASSWORD_VALIDATORS``: Django's four
(similarity to the account's own details, minimum length, common passwords,
all digits) with their messages in Chinese, so that every place a password
is set (``user_create``, the password change page and API, the admin's
forms, ``seed_demo``) says the same thing in the same language.
"""

from __future__ import annotations

from django.contrib.auth import password_validation as django_validation


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    DEFAULT_USER_ATTRIBUTES = ("username", "display_name", "first_name", "last_name", "email")

    def __init__(self, user_attributes=DEFAULT_USER_ATTRIBUTES, max_similarity=0.7):
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def get_error_message(self):
        return "密码与%(verbose_name)s太相似，请换一个。"

    def get_help_text(self):
        return "密码不能与用户名、姓名等账号信息相似。"


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少 {self.min_length} 个字符。"


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def get_error_message(self):
        return "这个密码太常见，容易被猜中，请换一个。"

    def get_help_text(self):
        return "不能使用常见密码。"


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def get_error_message(self):
        return "密码不能全是数字。"

    def get_help_text(self):
        return "密码不能全是数字。"
