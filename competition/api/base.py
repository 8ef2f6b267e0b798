"""Serializer bases whose validation messages name the field in Chinese.

DRF's messages say what is wrong ("该字段是必填项。") but not where; an
officer reading them needs both, so each message of a field is prefixed with
the field's label: "申报截止：该字段是必填项。". Nested serializers label
their own fields, so the prefix is the innermost field's label.
"""

from rest_framework import serializers


def _label(field_name: str, fields) -> str:
    field = fields.get(field_name)
    label = getattr(field, "label", None)
    return str(label) if label else field_name


def _prefix(detail, label: str):
    if isinstance(detail, list):
        return [_prefix(d, label) for d in detail]
    if isinstance(detail, dict) and all(isinstance(k, int) for k in detail):
        # A ListField's errors by item index ("holidays": {0: [...]}): the
        # items have no label of their own. (A nested serializer's errors are
        # keyed by its own field names and labelled by it.)
        return {k: _prefix(v, label) for k, v in detail.items()}
    if isinstance(detail, str):
        text = str(detail)
        if text.startswith(f"{label}："):
            return detail
        return serializers.ErrorDetail(f"{label}：{text}", code=getattr(detail, "code", None))
    return detail


class LabelledErrorsMixin:
    def run_validation(self, data=serializers.empty):
        try:
            return super().run_validation(data)
        except serializers.ValidationError as exc:
            detail = exc.detail
            if isinstance(detail, dict):
                detail = {
                    key: (
                        _prefix(value, _label(key, self.fields))
                        if key in self.fields
                        else value
                    )
                    for key, value in detail.items()
                }
                raise serializers.ValidationError(detail) from exc
            raise


class Serializer(LabelledErrorsMixin, serializers.Serializer):
    pass


class ModelSerializer(LabelledErrorsMixin, serializers.ModelSerializer):
    pass
