"""``--every``: when a scheduled report runs, in a small grammar read once into a typed spec.

The grammar (case and spacing do not matter)::

    day HH:MM             every day at that time                  day 08:00
    weekdays HH:MM        Monday to Friday                        weekdays 07:30
    DAY[,DAY...] HH:MM    on those days (mon tue wed thu fri      mon 08:00, mon,thu 18:30
                          sat sun)
    hour                  every hour, on the hour                 hour
    Nh | Nm               every N hours or minutes (at least      1h, 30m, 12h
                          MIN_INTERVAL), counted from the epoch

Clock times are read in the schedule's time zone (``--tz``); an interval ignores time
zones, so ``--tz`` with one is refused. Anything else is a :class:`UserError` with the
grammar as its hint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import IntEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from durable_research.errors import UserError

DEFAULT_TZ = "UTC"
# Each run is a whole research report: more often than this is surely a mistake.
MIN_INTERVAL = timedelta(minutes=15)
MAX_INTERVAL = timedelta(days=31)
EVERY_HINT = ('use "day 08:00", "weekdays 07:30", "mon 08:00", "mon,thu 18:30", "hour", '
              f'or an interval such as "1h" or "30m" (at least {MIN_INTERVAL.seconds // 60}m)')


class Weekday(IntEnum):
    """Days as Temporal's calendar numbers them (0 is Sunday)."""

    SUN = 0
    MON = 1
    TUE = 2
    WED = 3
    THU = 4
    FRI = 5
    SAT = 6


WEEKDAYS = (Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI)
# Canonical order of days in a list: the week as people write it, Monday first.
_DAY_ORDER = (*WEEKDAYS, Weekday.SAT, Weekday.SUN)
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_INTERVAL = re.compile(r"(\d{1,4})\s*([hm])")


@dataclass(frozen=True)
class Every:
    """When a schedule runs: clock times on some days, every hour, or a fixed interval.

    Exactly one of: ``interval`` (set), or a clock time (``hour`` None: every hour at
    ``minute``). ``days`` empty: every day.
    """

    text: str
    interval: timedelta | None = None
    days: tuple[Weekday, ...] = ()
    hour: int | None = None
    minute: int = 0

    @property
    def uses_clock(self) -> bool:
        """Whether the schedule's time zone matters."""
        return self.interval is None


def _fail(raw: str, why: str) -> UserError:
    return UserError(f"--every {raw.strip()[:60]!r}: {why}", EVERY_HINT)


def _days(raw: str, words: str) -> tuple[Weekday, ...]:
    if words == "day":
        return ()
    if words == "weekdays":
        return WEEKDAYS
    days: set[Weekday] = set()
    for name in words.split(","):
        try:
            days.add(Weekday[name.strip().upper()])
        except KeyError:
            raise _fail(raw, f"{name.strip()!r} is not a day") from None
    return tuple(d for d in _DAY_ORDER if d in days)


def parse_every(raw: str) -> Every:
    """Read ``--every`` into an :class:`Every` (its ``text`` in canonical form).

    Raises:
        UserError: Anything outside the grammar, or an interval out of bounds.
    """
    text = " ".join(raw.lower().replace(", ", ",").split())
    if not text:
        raise UserError("--every is required: when the schedule runs", EVERY_HINT)
    if text == "hour":
        return Every(text="hour")
    interval = _INTERVAL.fullmatch(text.replace(" ", ""))
    if interval:
        n, unit = int(interval.group(1)), interval.group(2)
        length = timedelta(hours=n) if unit == "h" else timedelta(minutes=n)
        if not MIN_INTERVAL <= length <= MAX_INTERVAL:
            raise _fail(raw, f"an interval must be between {MIN_INTERVAL.seconds // 60}m "
                             f"and {MAX_INTERVAL.days * 24}h")
        return Every(text=f"{n}{unit}", interval=length)
    words, _, clock = text.rpartition(" ")
    time = _TIME.fullmatch(clock)
    if words and not time and re.fullmatch(r"\d+:\d+", clock):
        raise _fail(raw, f"{clock!r} is not a time of day (00:00 to 23:59)")
    if not words or not time:
        raise _fail(raw, "not a day and a time (HH:MM), an interval, or \"hour\"")
    days = _days(raw, words)
    hour, minute = int(time.group(1)), int(time.group(2))
    names = ("day" if not days else "weekdays" if days == WEEKDAYS
             else ",".join(d.name.lower() for d in days))
    return Every(text=f"{names} {hour:02d}:{minute:02d}", days=days, hour=hour,
                 minute=minute)


def parse_tz(raw: str | None, every: Every) -> str:
    """The schedule's time zone: an IANA name (default ``UTC``), for clock times only.

    Raises:
        UserError: An unknown zone, or one given with an interval.
    """
    if raw is None:
        return DEFAULT_TZ
    name = raw.strip()
    if not every.uses_clock:
        raise UserError(f"--tz has no effect on the interval {every.text!r}",
                        "drop --tz, or use a clock time such as \"day 08:00\"")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"Unknown time zone {raw[:60]!r}",
                        "use an IANA name such as Europe/Berlin, America/New_York or UTC"
                        ) from None
    return name
