"""Factories of the notifications app: inbox messages, deliveries and e-mail settings.

The events write these through ``notifications.services`` and the
notifications tests go through them; the factories are for a test that needs
a message or a delivery to exist (an unread message for the badge, a failed
e-mail for the deliveries page). A delivery by e-mail has a recipient and an
address, as the database demands; ``status=DeliveryStatus.SENT`` sets
``sent_at``.
"""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from notifications.enums import Channel, DeliveryStatus, Event
from notifications.models import Delivery, Notification, Preference
from tests.factories import UserFactory

__all__ = ["DeliveryFactory", "NotificationFactory", "PreferenceFactory"]


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    event = Event.NOMINATION_ACCEPTED
    object_type = "nominations.nomination"
    object_id = factory.Sequence(str)
    title = "推荐通过资格审查"
    body = "您单位的推荐已通过资格审查。"
    url = "/nominations/"


class DeliveryFactory(DjangoModelFactory):
    """An e-mail of a notification, waiting to be sent."""

    class Meta:
        model = Delivery

    notification = factory.SubFactory(NotificationFactory)
    channel = Channel.EMAIL
    recipient = factory.LazyAttribute(lambda o: o.notification.recipient if o.notification else None)
    address = factory.LazyAttribute(
        lambda o: f"{o.recipient.username}@example.org" if o.channel == Channel.EMAIL else ""
    )
    event = factory.LazyAttribute(lambda o: o.notification.event if o.notification else Event.DAILY_SUMMARY)
    object_type = factory.LazyAttribute(lambda o: o.notification.object_type if o.notification else "")
    object_id = factory.LazyAttribute(lambda o: o.notification.object_id if o.notification else "")
    subject = factory.LazyAttribute(lambda o: o.notification.title if o.notification else "每日概况")
    text = factory.LazyAttribute(lambda o: o.notification.body if o.notification else "今日概况")
    status = DeliveryStatus.PENDING
    sent_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == DeliveryStatus.SENT else None)


class PreferenceFactory(DjangoModelFactory):
    class Meta:
        model = Preference
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    email_enabled = True
