-- Every read and every write's alert decision loads all of a patient's check-ins (five years:
-- ~1,800 rows scattered over the heap among attacks and questionnaires). The one-per-day
-- index now carries the check-in fact columns, so that read is an index-only scan in day
-- order (no heap visit for all-visible pages, no sort).
DROP INDEX entries_one_checkin_per_day;
CREATE UNIQUE INDEX entries_one_checkin_per_day ON entries (patient_id, local_date)
    INCLUDE (mood, stress, sleep_hours, sleep_quality, menstruation, alcohol_units,
             skipped_meals, caffeine_mg)
    WHERE entry_type = 'checkin' AND deleted_at IS NULL;
