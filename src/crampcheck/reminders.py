"""A calendar file (.ics) with a daily bedtime reminder to do the calf stretch.

The event uses "floating" local time, so 22:00 stays 22:00 wherever the person's calendar is set;
the wording and steps come from the guidance's calf-stretch advice.

>>> from icalendar import Calendar
>>> cal = Calendar.from_ical(reminder_calendar(dt.time(21, 30), start=dt.date(2026, 1, 5)))
>>> event = cal.walk("VEVENT")[0]
>>> event["RRULE"]["FREQ"], event.decoded("DTSTART")
(['DAILY'], datetime.datetime(2026, 1, 5, 21, 30))
"""

from __future__ import annotations

import datetime as dt
import uuid

from icalendar import Alarm, Calendar, Event

from crampcheck.guidance import load_guidance

ADVICE_ID = "calf-stretch"
DURATION = dt.timedelta(minutes=5)


def _stretch_text() -> tuple[str, str]:
    advice = next(a for a in load_guidance().advice if a.id == ADVICE_ID)
    steps = "\n".join(f"{i}. {s}" for i, s in enumerate(advice.steps, 1))
    return advice.title, f"{advice.text}\n\n{steps}".strip()


def reminder_calendar(at: dt.time = dt.time(22, 0), *, start: dt.date | None = None) -> bytes:
    """An iCalendar file with one daily event at ``at`` (local time) from ``start`` (today)."""
    title, description = _stretch_text()
    first = dt.datetime.combine(start or dt.date.today(), at.replace(second=0, microsecond=0))
    cal = Calendar()
    cal.add("prodid", "-//crampcheck//bedtime calf stretch//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "crampcheck: bedtime calf stretch")
    event = Event()
    event.add(
        "uid", f"{uuid.uuid5(uuid.NAMESPACE_URL, f'crampcheck:calf-stretch:{at.isoformat()}')}@crampcheck"
    )
    event.add("dtstamp", dt.datetime.now(dt.UTC))
    event.add("dtstart", first)
    event.add("duration", DURATION)
    event.add("rrule", {"freq": "daily"})
    event.add("summary", f"Bedtime: {title.lower()}" if title else "Bedtime calf stretch")
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title or "Calf stretch")
    alarm.add("trigger", dt.timedelta(0))
    event.add_component(alarm)
    cal.add_component(event)
    return bytes(cal.to_ical())
