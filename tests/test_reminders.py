"""The bedtime calf-stretch calendar."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from crampcheck.guidance import load_guidance
from crampcheck.reminders import reminder_calendar


def test_daily_event_with_alarm_and_guidance_wording() -> None:
    cal = Calendar.from_ical(reminder_calendar(dt.time(22, 15), start=dt.date(2026, 2, 1)))
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    (event,) = cal.walk("VEVENT")
    assert event.decoded("DTSTART") == dt.datetime(2026, 2, 1, 22, 15)  # floating: the person's own clock
    assert event["RRULE"]["FREQ"] == ["DAILY"]
    assert event["UID"] and event["DTSTAMP"]
    (alarm,) = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    stretch = next(a for a in load_guidance().advice if a.id == "calf-stretch")
    description = str(event["DESCRIPTION"])
    assert stretch.steps and all(step in description for step in stretch.steps)


def test_same_time_gives_the_same_uid() -> None:
    first = Calendar.from_ical(reminder_calendar(dt.time(21, 0))).walk("VEVENT")[0]["UID"]
    again = Calendar.from_ical(reminder_calendar(dt.time(21, 0))).walk("VEVENT")[0]["UID"]
    other = Calendar.from_ical(reminder_calendar(dt.time(23, 0))).walk("VEVENT")[0]["UID"]
    assert first == again != other
