"""Survey objects in a community the tested roles do not reach, for the route-scoping and
write-scoping guards. Made once per test (looked up by name), through the services."""

import datetime as dt

from django.utils import timezone

from gongzhi.places.models import Household, Resident
from gongzhi.surveys import services
from gongzhi.surveys.models import BaseSurvey, Campaign, Response

NAME = "越界调查"


def survey_objects(community, building, admin) -> dict:
    campaign = Campaign.objects.filter(community=community, name=NAME).first()
    if campaign is None:
        q = services.questionnaire_create(actor=admin, community=community, title=NAME)
        services.question_add(
            actor=admin, questionnaire=q, key="ok", text="同意吗", kind="yes_no", is_support=True
        )
        campaign = services.campaign_create(
            actor=admin,
            community=community,
            name=NAME,
            area_name=NAME,
            questionnaire=q,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
            buildings=[building],
        )
        household = Household.objects.filter(building=building).first()
        resident = Resident.objects.filter(household=household).first()
        services.response_record(
            actor=admin,
            campaign=campaign,
            household_id=household.pk,
            version_id=q.versions.get().pk,
            answers={"ok": True},
            respondent_id=resident.pk if resident else None,
            consent=True,
            channel="visit",
            answered_at=timezone.now(),
        )
        services.base_survey_create(
            actor=admin,
            community=community,
            name=NAME,
            starts_on=dt.date(2026, 1, 1),
            target_on=dt.date(2026, 1, 14),
        )
    return {
        "campaign": campaign,
        "questionnaire": campaign.questionnaire,
        "response": Response.objects.filter(campaign=campaign).first(),
        "base_survey": BaseSurvey.objects.get(community=community, name=NAME),
    }
