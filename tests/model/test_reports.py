import datetime as dt

import pytest

from tabadul.errors import Conflict, ValidationFailed
from tabadul.model.reports import (
    Mention,
    ReportStatus,
    check_transition,
    clean_topics,
    review_date,
)


def test_draft_can_be_released_and_released_can_be_withdrawn():
    check_transition(ReportStatus.DRAFT, ReportStatus.RELEASED)
    check_transition(ReportStatus.RELEASED, ReportStatus.RELEASED)
    check_transition(ReportStatus.RELEASED, ReportStatus.WITHDRAWN)


def test_released_report_cannot_go_back_to_draft():
    with pytest.raises(Conflict):
        check_transition(ReportStatus.RELEASED, ReportStatus.DRAFT)


def test_withdrawn_report_takes_no_new_version():
    with pytest.raises(Conflict) as err:
        check_transition(ReportStatus.WITHDRAWN, ReportStatus.RELEASED)
    assert "withdrawn" in err.value.message


def test_review_date_is_years_after_recording_and_copes_with_29_february():
    assert review_date(dt.date(2026, 11, 23), 3) == dt.date(2029, 11, 23)
    assert review_date(dt.date(2028, 2, 29), 3) == dt.date(2031, 2, 28)


def test_topics_are_lower_case_codes_without_duplicates():
    assert clean_topics(["Terrorism", "financing", "terrorism"]) == ("terrorism", "financing")
    with pytest.raises(ValidationFailed) as err:
        clean_topics(["ok", "two words"])
    assert err.value.details[0].field == "topics.1"


def test_mention_span_must_lie_inside_the_body():
    Mention("p1", 0, 5).check("hello world", 0)
    with pytest.raises(ValidationFailed) as err:
        Mention("p1", 6, 40).check("hello world", 2)
    assert err.value.details[0].field == "mentions.2"
    assert "outside the body" in err.value.message


@pytest.mark.parametrize(("start", "end"), [(5, 5), (-1, 3), (4, 2), (3, None)])
def test_mention_span_must_be_a_proper_range(start, end):
    with pytest.raises(ValidationFailed):
        Mention("p1", start, end).check("hello world", 0)
