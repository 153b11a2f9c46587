"""The queue of SQLite writers across processes (app/database.py, `SQLiteWriterLock`)."""

import multiprocessing
import time
from contextlib import nullcontext

from sqlalchemy import create_engine

from app.database import SQLiteWriterLock, one_writer_at_a_time


def hold_for_a_while(lock: SQLiteWriterLock, held, release_after: float) -> None:
    with lock.held():
        held.set()
        time.sleep(release_after)


def test_a_writer_in_another_process_waits_until_the_first_is_done(tmp_path):
    path = str(tmp_path / "lesmark.sqlite")
    lock = SQLiteWriterLock(path)
    with lock.held():  # opened here before the fork: the child must not share this descriptor
        pass
    fork = multiprocessing.get_context("fork")
    held = fork.Event()
    child = fork.Process(target=hold_for_a_while, args=(SQLiteWriterLock(path), held, 0.4))
    child.start()
    try:
        assert held.wait(10)
        began = time.monotonic()
        with lock.held():
            waited = time.monotonic() - began
        assert waited > 0.25, waited
    finally:
        child.join(10)
    assert child.exitcode == 0
    began = time.monotonic()
    with lock.held():  # nobody holds it now: no wait
        assert time.monotonic() - began < 0.1


def test_a_forked_process_takes_the_same_lock_on_a_descriptor_of_its_own(tmp_path):
    lock = SQLiteWriterLock(str(tmp_path / "lesmark.sqlite"))
    fork = multiprocessing.get_context("fork")
    held = fork.Event()
    with lock.held():  # held by this process during the fork: the child's copy must wait for it
        child = fork.Process(target=hold_for_a_while, args=(lock, held, 0))
        child.start()
        assert not held.wait(0.3)
    assert held.wait(10)
    child.join(10)
    assert child.exitcode == 0


def test_only_sqlite_files_are_queued(tmp_path):
    on_file = create_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert not isinstance(one_writer_at_a_time(on_file), nullcontext)
    for url in ("sqlite://", "sqlite:///:memory:", "postgresql+psycopg://u@localhost/x"):
        assert isinstance(one_writer_at_a_time(create_engine(url)), nullcontext), url
