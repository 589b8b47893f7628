"""Calendar-day classification in the patient's own time zone (clinical-kb §3.3, §3.1).

The KB's recommended (configurable) diary day definitions, applied per attack:

* headache day: a local calendar day with a headache lasting ≥30 min, or with any headache
  treated with an acute drug (KB §3.3). An attack that qualifies counts on the day it starts;
  each further day it spans counts when ≥30 min of the attack fall on that day (a 5-minute
  spill past midnight is not a second headache day) or an acute drug for it was taken then.
* migraine day: a headache day of an attack that has ICHD-3 migraine features (1.1 C and D),
  or probable-migraine features (one of C or D, ICHD-3 1.5, which the KB includes), or aura
  (1.2); or a day on which a migraine-specific drug (triptan, ergot, gepant, ditan) was taken
  for a headache (KB §3.3, following ICHD-3 1.3 and S74). Aura and a migraine-specific drug
  qualify regardless of duration. A migraine day is always a headache day.
* acute-medication day, per class: the local day of each intake of a known acute drug.

Days without any entry are UNKNOWN, not headache-free: a missing diary day is missing data.
A day with a check-in (or with only a headache too short to count) is documented and, without
a qualifying headache, HEADACHE_FREE. An ongoing attack runs until `as_of`.
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.diary.domain.clinical.acute_drugs import MIGRAINE_SPECIFIC, AcuteClass
from services.diary.domain.clinical.checkin_table import CheckinTable
from services.diary.domain.clinical.facts import AttackFacts, CheckinFacts

ONE_DAY = timedelta(days=1)


class DayStatus(StrEnum):
    HEADACHE = "headache"
    HEADACHE_FREE = "headache_free"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class DayRules:
    """The configurable parts of the KB §3.3 proposal (no consensus text exists, KB §6.5)."""

    min_headache_minutes: int = 30
    count_probable_migraine: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class DayRecord:
    day: date
    documented: bool = False
    headache: bool = False
    migraine: bool = False
    peak_intensity: int = 0  # 0 on days without a headache
    acute_classes: frozenset[AcuteClass] = frozenset()
    attack_ids: tuple[str, ...] = ()  # attacks that made this a headache day
    onsets: tuple[AttackFacts, ...] = ()  # attacks that started this day (documented or not)
    unclassified_medications: tuple[str, ...] = ()

    @property
    def status(self) -> DayStatus:
        if self.headache:
            return DayStatus.HEADACHE
        return DayStatus.HEADACHE_FREE if self.documented else DayStatus.UNKNOWN

    @property
    def acute_medication(self) -> bool:
        return bool(self.acute_classes)

    @property
    def migraine_specific_medication(self) -> bool:
        return not self.acute_classes.isdisjoint(MIGRAINE_SPECIFIC)


@dataclass(frozen=True, slots=True)
class DiaryDays:
    """The diary bucketed by local day once; windows then read only the days they need.

    `records` holds the days an attack or intake touches. A day with only a check-in is a
    documented headache-free day without a record of its own (most days of a diary are such
    days, and five years of them need not be built to read 28 of them). `headache_days` are
    the records' days with a headache (whole-history readers need only that).
    """

    zone: ZoneInfo
    through: date  # the local day of as_of: the last day any window may end on
    records: Mapping[date, DayRecord]
    headache_days: frozenset[date]
    checkins: CheckinTable
    first_day: date | None = None

    def day(self, day: date) -> DayRecord:
        record = self.records.get(day)
        if record is not None:
            return record
        return DayRecord(day=day, documented=day in self.checkins)

    def is_documented(self, day: date) -> bool:
        return day in self.records or day in self.checkins

    def is_headache(self, day: date) -> bool:
        return day in self.headache_days


def ichd_pain_criterion(attack: AttackFacts) -> bool:
    """ICHD-3 1.1 C: at least 2 of one-sided, pulsating, moderate/severe, worse with activity."""
    moderate_or_severe = attack.intensity >= 2
    pain = (attack.unilateral, attack.pulsating, moderate_or_severe, attack.aggravated_by_activity)
    return sum(1 for present in pain if present) >= 2


def ichd_accompanying_criterion(attack: AttackFacts) -> bool:
    """ICHD-3 1.1 D: nausea and/or vomiting, or both photophobia and phonophobia."""
    return bool(attack.nausea or attack.vomiting or (attack.photophobia and attack.phonophobia))


def is_migraine_attack(attack: AttackFacts, rules: DayRules = DayRules()) -> bool:
    """Aura, ICHD-3 migraine features (C and D) or, if counted, probable migraine (C or D)."""
    if attack.aura:
        return True
    pain, accompanying = ichd_pain_criterion(attack), ichd_accompanying_criterion(attack)
    if rules.count_probable_migraine:
        return pain or accompanying
    return pain and accompanying


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    # Midnight as an instant: a DST day is 23 or 25 h long, so days are cut in UTC.
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


class _Day:
    """Mutable accumulator for one day while bucketing; frozen into a DayRecord at the end."""

    __slots__ = ("acute", "attacks", "headache", "migraine", "onsets", "peak", "unk")

    def __init__(self) -> None:
        self.headache = self.migraine = False
        self.peak = 0
        self.acute: set[AcuteClass] = set()
        self.attacks: set[str] = set()
        self.onsets: list[AttackFacts] = []
        self.unk: set[str] = set()

    def mark_headache(self, attack: AttackFacts, migraine: bool) -> None:
        self.headache = True
        self.migraine = self.migraine or migraine
        self.peak = max(self.peak, attack.intensity)
        self.attacks.add(attack.attack_id)


# Five years hold ~500 attacks and ~700 touched days; this runs on every read and every
# write's alert decision, so the per-attack work avoids repeated conversions and lookups.
def _add_attack(
    buckets: dict[date, _Day], attack: AttackFacts, zone: ZoneInfo, as_of: datetime,
    minimum: timedelta, rules: DayRules,
) -> None:  # fmt: skip
    """as_of in UTC; minimum: rules.min_headache_minutes as a timedelta."""
    start = attack.started_at.astimezone(UTC)
    if attack.ended_at is None:  # ongoing: in it now, so long enough
        end, long_enough = max(as_of, start), True
    else:
        end = attack.ended_at.astimezone(UTC)
        long_enough = end - start >= minimum
    medications = attack.medications
    treated = any(m.acute_class is not None for m in medications) if medications else False
    aura = bool(attack.aura)
    # Features count only for a headache long enough to be one (KB §3.3 "≥30 min").
    migraine = aura or (long_enough and is_migraine_attack(attack, rules))

    first = start.astimezone(zone).date()
    onset = buckets.get(first) or _bucket(buckets, first)
    onset.onsets.append(attack)
    if long_enough or treated or aura:
        onset.mark_headache(attack, migraine)
        last = end.astimezone(zone).date()
        if last > first:  # continuation days, each with its own ≥30 min
            day = first + ONE_DAY
            day_start = _local_midnight(day, zone)
            while day <= last:
                day_end = _local_midnight(day + ONE_DAY, zone)
                if min(end, day_end) - day_start >= minimum:
                    (buckets.get(day) or _bucket(buckets, day)).mark_headache(attack, migraine)
                day, day_start = day + ONE_DAY, day_end

    for intake in medications:
        taken_on = intake.taken_at.astimezone(zone).date()
        bucket = buckets.get(taken_on) or _bucket(buckets, taken_on)
        if intake.acute_class is None:
            bucket.unk.add(intake.name)
            continue
        bucket.acute.add(intake.acute_class)
        # A treated headache is a headache day; a migraine-specific drug taken for it makes
        # the day a migraine day whatever the features (KB §3.3).
        bucket.mark_headache(attack, migraine or intake.acute_class in MIGRAINE_SPECIFIC)


def _bucket(buckets: dict[date, _Day], day: date) -> _Day:
    found = buckets[day] = _Day()
    return found


def classify_days(
    attacks: Iterable[AttackFacts],
    checkins: Iterable[CheckinFacts] | CheckinTable,
    zone: ZoneInfo,
    *,
    as_of: datetime,
    rules: DayRules = DayRules(),
) -> DiaryDays:
    """Bucket attacks, intakes and check-ins by local calendar day; input order is irrelevant.

    Attack ids must be unique; two check-ins for one day are an error (the diary stores one).
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    buckets: dict[date, _Day] = {}
    by_day = checkins if isinstance(checkins, CheckinTable) else CheckinTable.of(checkins)
    as_of_utc, minimum = as_of.astimezone(UTC), timedelta(minutes=rules.min_headache_minutes)
    for attack in attacks:
        _add_attack(buckets, attack, zone, as_of_utc, minimum, rules)

    return DiaryDays(
        zone=zone,
        through=as_of.astimezone(zone).date(),
        records=_Records(buckets),
        headache_days=frozenset(day for day, acc in buckets.items() if acc.headache),
        checkins=by_day,
        first_day=min((*buckets, *by_day), default=None),
    )


class _Records(Mapping[date, DayRecord]):
    """The touched days' records, each frozen when first read: five years touch ~700 days,
    and a summary reads ~150 of them (its windows); the rest would be built for nothing."""

    __slots__ = ("_buckets", "_frozen")

    def __init__(self, buckets: dict[date, _Day]) -> None:
        self._buckets = buckets  # not changed after bucketing
        self._frozen: dict[date, DayRecord] = {}

    def __getitem__(self, day: date) -> DayRecord:
        record = self._frozen.get(day)
        if record is None:
            record = self._frozen[day] = _freeze(day, self._buckets[day])
        return record

    def __contains__(self, day: object) -> bool:
        return day in self._buckets

    def __iter__(self) -> Iterator[date]:
        return iter(self._buckets)

    def __len__(self) -> int:
        return len(self._buckets)


def _freeze(day: date, acc: _Day) -> DayRecord:
    # Most days hold one attack: sorting (and the sort key's tuples) only when there are more.
    onsets, attack_ids, unk = acc.onsets, acc.attacks, acc.unk
    return DayRecord(
        day=day,
        # Any entry touching the day documents it: a logged too-short headache is a report.
        documented=True,
        headache=acc.headache,
        migraine=acc.migraine,
        peak_intensity=acc.peak,
        acute_classes=frozenset(acc.acute),
        attack_ids=tuple(sorted(attack_ids)) if len(attack_ids) > 1 else tuple(attack_ids),
        onsets=tuple(sorted(onsets, key=_onset_order)) if len(onsets) > 1 else tuple(onsets),
        unclassified_medications=tuple(sorted(unk)) if len(unk) > 1 else tuple(unk),
    )


def _onset_order(attack: AttackFacts) -> tuple[datetime, str]:
    return attack.started_at, attack.attack_id
