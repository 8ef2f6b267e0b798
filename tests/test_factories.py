"""The apps' factories build rows that the models' validation and the database accept,
with related rows that belong together (the fixtures of every app stand on them)."""

from __future__ import annotations

import hashlib

import pytest

from certificates.enums import CertificateStatus
from exhibition.enums import ExhibitKind
from judging.enums import AwardStatus, ObjectionStatus, ScorecardStatus
from nominations.enums import AttachmentKind, Status
from nominations.validators import normalized_key
from tests.certificates.factories import (
    BatchItemFactory,
    CertificateFactory,
    CertificateTemplateFactory,
)
from tests.exhibition.factories import ExhibitFactory
from tests.factories import CategoryFactory, taiyuan_unit
from tests.judging.factories import (
    AggregationJobFactory,
    AssignmentFactory,
    AwardFactory,
    ConflictDeclarationFactory,
    ObjectionFactory,
    PanelMemberFactory,
    PledgeFactory,
    PublicityFactory,
    RankingEntryFactory,
    ScorecardFactory,
    ScoreFactory,
)
from tests.nominations.factories import AttachmentFactory, NominationFactory, PastWinnerFactory
from tests.notifications.factories import DeliveryFactory, NotificationFactory, PreferenceFactory

pytestmark = pytest.mark.django_db

EVERY_FACTORY = [
    NominationFactory,
    AttachmentFactory,
    PastWinnerFactory,
    PledgeFactory,
    ConflictDeclarationFactory,
    PanelMemberFactory,
    AssignmentFactory,
    ScorecardFactory,
    ScoreFactory,
    RankingEntryFactory,
    AggregationJobFactory,
    PublicityFactory,
    AwardFactory,
    ObjectionFactory,
    CertificateFactory,
    BatchItemFactory,
    CertificateTemplateFactory,
    ExhibitFactory,
    NotificationFactory,
    DeliveryFactory,
    PreferenceFactory,
]


# Who did it: the services take these from the actor; a row set up directly has none.
ACTOR_FIELDS = ["created_by", "uploaded_by", "requested_by", "published_by"]


@pytest.mark.parametrize("factory", EVERY_FACTORY, ids=lambda f: f.__name__)
def test_factory_row_passes_model_validation(factory):
    row = factory()
    row.full_clean(exclude=ACTOR_FIELDS)


def test_nominations_of_one_unit_take_the_next_places():
    category = CategoryFactory(nomination_quota_per_unit=3)
    unit = taiyuan_unit("140105")
    rows = NominationFactory.create_batch(3, category=category, unit=unit, status=Status.ACCEPTED)
    assert [n.order for n in rows] == [1, 2, 3]
    assert {n.competition_id for n in rows} == {category.competition_id}


def test_attachment_is_a_stored_file_with_its_size_and_hash():
    photo = AttachmentFactory()
    form = AttachmentFactory(stamped_form=True, nomination=photo.nomination)
    for attachment in (photo, form):
        attachment.file.open("rb")
        data = attachment.file.read()
        attachment.file.close()
        assert (attachment.size, attachment.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert form.kind == AttachmentKind.STAMPED_FORM and form.file.name.endswith(".pdf")
    assert photo.caption and photo.file.name.endswith(".png")


def test_past_winner_key_is_normalised_like_the_eligibility_check():
    winner = PastWinnerFactory(title=" 银龄陪伴！", organization="某志愿服务队")
    assert winner.normalized_key == normalized_key("银龄陪伴", "某志愿服务队")


def test_related_rows_belong_to_one_competition_and_category():
    score = ScoreFactory()
    assignment = score.scorecard.assignment
    assert assignment.nomination.competition_id == assignment.round.competition_id
    assert score.criterion.category_id == assignment.nomination.category_id
    assert score.half_points <= score.max_half_points
    entry = RankingEntryFactory()
    assert entry.nomination.competition_id == entry.snapshot.round.competition_id
    item = BatchItemFactory()
    assert item.certificate.competition_id == item.batch.competition_id
    certificate = CertificateFactory()
    assert certificate.number == f"TY-XLF-{certificate.year}-{certificate.category.code}-{certificate.serial:04d}"
    assert certificate.status == CertificateStatus.PENDING and certificate.award.status == AwardStatus.FINAL


def test_status_dependent_fields_follow_the_status():
    assert ScorecardFactory(status=ScorecardStatus.SUBMITTED).submitted_at is not None
    assert AwardFactory(status=AwardStatus.FINAL).finalized_at is not None
    assert AwardFactory(status=AwardStatus.REMOVED).removed_reason
    assert ObjectionFactory(status=ObjectionStatus.DISMISSED).resolution
    exhibit = ExhibitFactory(award__nomination__category__kind="organization")
    assert exhibit.kind == ExhibitKind.ORGANIZATION and exhibit.title == exhibit.nomination.title

