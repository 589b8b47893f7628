"""Reading free-text doses and frequencies: mg per dose, doses per day, PRN or scheduled.

Prescriptions carry free text ("20 mg", "0.5 g", "twice daily", "as needed").
Every function here is pure and cached: the same strings recur across patients
and re-evaluations, and parsing them is the costliest part of building a
medication list.
"""

import re
from functools import lru_cache
from typing import Literal

Dosing = Literal["prn", "scheduled", "unknown"]

_UNIT_MG = {
    "mg": 1.0,
    "milligram": 1.0,
    "milligrams": 1.0,
    "g": 1000.0,
    "gram": 1000.0,
    "grams": 1000.0,
    "mcg": 0.001,
    "ug": 0.001,
    "µg": 0.001,
    "microgram": 0.001,
    "micrograms": 0.001,
}
_NUMBER = r"\d+(?:[.,]\d+)?"
_UNIT = r"(mg|milligrams?|mcg|µg|ug|micrograms?|g|grams?)\b"
# "2 x 25 mg" (also with a multiplication sign), "10-20 mg" (also with an en dash).
_TIMES_SIGN, _EN_DASH = "\u00d7", "\u2013"
_AMOUNT = re.compile(
    rf"(?:(\d+)\s*[x{_TIMES_SIGN}]\s*)?({_NUMBER})"
    rf"(?:\s*(?:-|{_EN_DASH}|to)\s*({_NUMBER}))?\s*{_UNIT}"
)
# "50/325/40 mg": the strengths of a combination product, not one amount.
_STRENGTHS = re.compile(rf"{_NUMBER}\s*(?:{_UNIT})?\s*/\s*\d+(?![\d.,]*\s*h)")
# Right after the amount: "40 mg/day", "40 mg per day", "40 mg a day", "10 mg/24 h".
_PER_DAY = re.compile(r"\s*(?:/\s*|per\s+|a\s+)(?:day|d\b|24\s*h)")
_PRN = re.compile(
    r"\bp\.?r\.?n\b|as needed|as required|when needed|when required|if needed|on demand"
    r"|at onset|at the onset|as directed for (?:migraine|headache)"
)
_WORD_NUMBERS = {"once": 1, "one": 1, "twice": 2, "two": 2, "three": 3, "thrice": 3, "four": 4}
_WORD_NUMBERS |= {"five": 5, "six": 6}
_PERIOD_DAYS = {"hour": 1 / 24, "day": 1.0, "week": 7.0, "month": 30.0}
_INTERVAL = re.compile(
    r"\bevery\s+(\d+(?:\.\d+)?|other)?\s*(?:-\s*\d+\s*)?(hour|hr|h|day|week|month)s?\b"
)
_Q_HOURS = re.compile(r"\bq\s*(\d+)\s*h(?:rs?|ours?)?\b")
_TIMES = re.compile(
    r"\b(\d+|once|one|twice|two|three|thrice|four|five|six)\s*(?:times?|x)?\s*"
    r"(?:a|per|each|/)?\s*(day|daily|week|weekly|month|monthly)\b"
)
_KEYWORDS: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"\b(q\.?i\.?d|q\.?d\.?s)\b"), 4.0),
    (re.compile(r"\b(t\.?i\.?d|t\.?d\.?s)\b"), 3.0),
    (re.compile(r"\b(b\.?i\.?d|b\.?d)\b"), 2.0),
    (re.compile(r"\b(q\.?o\.?d|alternate days?|every other day)\b"), 0.5),
    (re.compile(r"\b(weekly|once a week)\b"), 1 / 7),
    (re.compile(r"\b(monthly|once a month)\b"), 1 / 30),
    (re.compile(r"\b(quarterly)\b"), 1 / 90),
    (
        re.compile(
            r"\b(q\.?d|o\.?d|daily|once|nightly|q\.?hs|hs|q\.?am|q\.?pm|mane|nocte|every day"
            r"|each day|every (?:morning|evening|night)|in the (?:morning|evening)"
            r"|at (?:night|bedtime))\b"
        ),
        1.0,
    ),
)


def _clean(text: str | None) -> str:
    return " ".join(text.lower().split()) if text else ""


def _number(text: str) -> float:
    # A comma before exactly three digits groups thousands ("1,000"); otherwise it is
    # a decimal comma ("0,5").
    whole, _, fraction = text.partition(",")
    if fraction and len(fraction) == 3:
        return float(whole + fraction)
    return float(text.replace(",", "."))


@lru_cache(maxsize=4096)
def _amount(dose: str) -> tuple[float, bool] | None:
    """(mg, stated per day) of a dose text, or None when it has no single amount."""
    text = _clean(dose)
    if not text or _STRENGTHS.search(text):
        return None
    match = _AMOUNT.search(text)
    if match is None:
        return None
    count, low, high, unit = match.groups()
    # A range ("10-20 mg") is read at its top: the cautious reading for dose caps.
    mg = _number(high or low) * _UNIT_MG[unit]
    if count:
        mg *= int(count)
    return mg, _PER_DAY.match(text, match.end()) is not None


@lru_cache(maxsize=4096)
def is_prn(text: str | None) -> bool:
    return bool(text) and _PRN.search(_clean(text)) is not None


@lru_cache(maxsize=4096)
def doses_per_day(frequency: str | None) -> float | None:
    """How many doses a day a frequency text means; None for PRN or unreadable text."""
    text = _clean(frequency)
    if not text or is_prn(text):
        return None
    match = _INTERVAL.search(text)
    if match:
        count, unit = match.groups()
        every = 2.0 if count == "other" else float(count or 1)
        days = every * _PERIOD_DAYS["hour" if unit in ("h", "hr") else unit]
        return 1 / days if days > 0 else None
    match = _Q_HOURS.search(text)
    if match:
        hours = float(match.group(1))
        return 24 / hours if hours > 0 else None
    match = _TIMES.search(text)
    if match:
        count_text, period = match.groups()
        count = _WORD_NUMBERS.get(count_text) or int(count_text)
        days = _PERIOD_DAYS[period.removesuffix("ly") if period != "daily" else "day"]
        return count / days
    for pattern, per_day in _KEYWORDS:
        if pattern.search(text):
            return per_day
    return None


def _times_per_day(dose: str | None, frequency: str | None) -> float | None:
    # The frequency field first; failing that, a frequency written into the dose
    # text ("20 mg twice daily").
    times = doses_per_day(frequency)
    return times if times is not None or not dose else doses_per_day(dose)


@lru_cache(maxsize=4096)
def daily_dose_mg(dose: str | None, frequency: str | None) -> float | None:
    """mg per day of a prescription, or None when PRN, unknown or unreadable.

    "20 mg" once daily -> 20.0; "0.5 g" twice daily -> 1000.0; "40 mg/day" -> 40.0;
    "140 mg" monthly -> 140/30. A range is read at its top.
    """
    if dose is None or is_prn(frequency) or is_prn(dose):
        return None
    amount = _amount(dose)
    if amount is None:
        return None
    mg, per_day = amount
    if per_day:
        return mg
    times = _times_per_day(dose, frequency)
    return None if times is None else round(mg * times, 4)


@lru_cache(maxsize=4096)
def dose_mg(dose: str | None) -> float | None:
    """mg per single dose, or None when the text gives none (or only a daily total)."""
    if dose is None:
        return None
    amount = _amount(dose)
    if amount is None or amount[1]:
        return None
    return amount[0]


@lru_cache(maxsize=4096)
def dosing(dose: str | None, frequency: str | None) -> Dosing:
    """PRN, scheduled, or unknown (no readable frequency)."""
    if is_prn(frequency) or is_prn(dose):
        return "prn"
    if _times_per_day(dose, frequency) is not None:
        return "scheduled"
    amount = _amount(dose) if dose else None
    return "scheduled" if amount is not None and amount[1] else "unknown"
