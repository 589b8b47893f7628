from pathlib import Path

from services.care_team.app import MIGRATIONS as CARE_TEAM
from services.diary.app import MIGRATIONS as DIARY
from services.scheduling.app import MIGRATIONS as SCHEDULING
from shared.migrations import Migration, load_migrations, service_migrations


def test_shared_tables_come_first_then_the_service_files_in_order(tmp_path: Path) -> None:
    (tmp_path / "0002_b.sql").write_text("select 2")
    (tmp_path / "0001_a.sql").write_text("select 1")
    (tmp_path / "notes.sql").write_text("ignored: no number")
    names = [m.name for m in service_migrations("svc", tmp_path)]
    assert names[:4] == [
        "shared/0001_outbox.sql",
        "shared/0002_inbox.sql",
        "shared/0003_audit_log.sql",
        "shared/0004_audit_log_append_only.sql",
    ]
    assert names[4:] == ["svc/0001_a.sql", "svc/0002_b.sql"]


def test_checksum_changes_with_content() -> None:
    assert Migration("x", "select 1").checksum != Migration("x", "select 2").checksum


def test_every_service_ships_migrations() -> None:
    for folder in (CARE_TEAM, DIARY, SCHEDULING):
        assert load_migrations(("s", folder)), folder
