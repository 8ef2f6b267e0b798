from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "退回修改"
    ACCEPTED = "accepted", "审查通过"
    REJECTED = "rejected", "不予通过"
    WITHDRAWN = "withdrawn", "已撤回"
    # Returned for correction during 资格审查 and not resubmitted by its 补正截止.
    LAPSED = "lapsed", "已逾期未更正"


# Statuses that hold one of the unit's quota places.
QUOTA_STATUSES = (Status.SUBMITTED, Status.ACCEPTED)
# Statuses whose review decision the office may take back (to submitted) before judging.
REOPENABLE_STATUSES = (Status.ACCEPTED, Status.REJECTED, Status.RETURNED, Status.LAPSED)
# Working days a unit has to correct a nomination returned to it (the default 补正截止).
CORRECTION_WORKING_DAYS = 5
# Statuses in which the unit may edit.
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)


class Decision(models.TextChoices):
    ACCEPT = "accept", "通过"
    RETURN = "return", "退回修改"
    REJECT = "reject", "不予通过"
    # Take a decision back (accepted, rejected, returned or lapsed → submitted) before judging.
    REOPEN = "reopen", "撤销审查结论"


class AttachmentKind(models.TextChoices):
    STAMPED_FORM = "stamped_form", "盖章推荐表"
    PHOTO = "photo", "照片"
    VIDEO = "video", "视频"
    OTHER = "other", "其他材料"


class ServiceField(models.TextChoices):
    RURAL = "乡村振兴", "乡村振兴"
    ENVIRONMENT = "环境保护", "环境保护"
    CIVILITY = "文明实践", "文明实践"
    CHILDREN = "关爱少年儿童", "关爱少年儿童"
    ELDERLY = "为老服务", "为老服务"
    DISABILITY = "阳光助残", "阳光助残"
    HEALTH = "卫生健康", "卫生健康"
    EMERGENCY = "应急救援与疫情防控", "应急救援与疫情防控"
    COMMUNITY = "社区治理与邻里守望", "社区治理与邻里守望"
    WATER = "节水护水", "节水护水"
    CULTURE = "文化传播与旅游服务", "文化传播与旅游服务"
    LAW = "法律服务与禁毒教育", "法律服务与禁毒教育"
    OTHER = "其他领域", "其他领域"
