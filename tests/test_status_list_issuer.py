"""Status list slots, entry changes and the signed list token, on the test database."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from issuers.status_lists import (
    IssuerStatusEntry,
    IssuerStatusList,
    StatusAllocation,
    StatusListAllocator,
    build_status_list_token,
    count_lists,
    get_status,
    set_status,
)
from issuers.status_lists.allocator import DEFAULT_BLOCK_SIZE
from issuers.status_lists.permutation import permute, unpermute
from keys.jws import Signer, generate_private_key, verify_compact
from schemas.errors import InvalidInput, NotFound
from schemas.status_list import INVALID, STATUS_LIST_JWT_TYP, SUSPENDED, VALID, decode_status_list

KID, FAMILY = "issuer-key-1", "resident_registration"
THREADS, PER_THREAD = 8, 50


@pytest.fixture
def allocator() -> StatusListAllocator:
    return StatusListAllocator()


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer.from_private_key(generate_private_key("ES256"), kid=KID)


def _run_threads(worker: Callable[[int], None], count: int = THREADS) -> None:
    errors: list[BaseException] = []

    def guarded(n: int) -> None:
        try:
            worker(n)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _lists(session: Session) -> list[IssuerStatusList]:
    statement = select(IssuerStatusList).order_by(IssuerStatusList.sequence)  # type: ignore[arg-type]
    return list(session.exec(statement).all())


# --- the permutation ----------------------------------------------------------------------
@pytest.mark.parametrize("size", [4, 8, 12, 100, 1 << 10, 3000])
def test_permutation_is_a_bijection_with_an_inverse(size: int) -> None:
    key = bytes(range(16))
    image = [permute(n, size=size, key=key) for n in range(size)]
    assert sorted(image) == list(range(size))
    assert [unpermute(i, size=size, key=key) for i in image] == list(range(size))


def test_permutation_depends_on_the_key() -> None:
    first = [permute(n, size=1 << 17, key=b"a" * 16) for n in range(32)]
    second = [permute(n, size=1 << 17, key=b"b" * 16) for n in range(32)]
    assert first != second


# --- allocation ---------------------------------------------------------------------------
def test_allocations_are_distinct_and_not_sequential(session: Session, allocator: StatusListAllocator) -> None:
    allocations = [allocator.allocate(session, kid=KID, family=FAMILY, list_size=1 << 17) for _ in range(500)]
    indices = [a.idx for a in allocations]
    assert len(set(indices)) == len(indices)
    assert {a.list_id for a in allocations} == {allocations[0].list_id}
    assert all(0 <= i < 1 << 17 for i in indices)
    # consecutive holders must not be neighbours in the list
    steps = [abs(b - a) for a, b in zip(indices, indices[1:])]
    assert sum(step > 1 for step in steps) >= len(steps) // 2
    ordered = sorted(indices)
    assert len({b - a for a, b in zip(ordered, ordered[1:])}) > 1
    assert allocations[0].uri_path.startswith("/status-lists/")
    stored = session.get(IssuerStatusList, allocations[0].list_id)
    # reserved in whole blocks: the mark is the first block boundary at or past 500
    blocks = -(-500 // DEFAULT_BLOCK_SIZE)
    assert stored is not None and stored.allocated == blocks * DEFAULT_BLOCK_SIZE and stored.size == 1 << 17


@pytest.mark.parametrize("block_size", [1, 3, DEFAULT_BLOCK_SIZE])
def test_a_full_list_rolls_over_to_a_new_one(session: Session, block_size: int) -> None:
    allocator = StatusListAllocator(block_size=block_size)
    allocations = [allocator.allocate(session, kid=KID, family=FAMILY, list_size=8) for _ in range(20)]
    by_list: dict[int, list[StatusAllocation]] = {}
    for allocation in allocations:
        by_list.setdefault(allocation.list_id, []).append(allocation)
    assert [len(v) for v in by_list.values()] == [8, 8, 4]
    for members in by_list.values():
        assert len({m.idx for m in members}) == len(members)
        assert all(0 <= m.idx < 8 for m in members)
        assert len({m.uri_path for m in members}) == 1
    assert len({m[0].uri_path for m in by_list.values()}) == 3
    lists = _lists(session)
    # a block never crosses into the next list: the tail of a list is taken as a short block
    last_mark = min(8, -(-4 // block_size) * block_size)
    assert [(l.sequence, l.allocated) for l in lists] == [(0, 8), (1, 8), (2, last_mark)]
    # a different family or key gets its own lists
    other = allocator.allocate(session, kid=KID, family="tax", list_size=8)
    assert other.list_id not in by_list
    assert count_lists(session, kid=KID, family=FAMILY) == 3


def test_a_reservation_is_committed_whatever_the_caller_does(engine: Engine, allocator: StatusListAllocator) -> None:
    with Session(engine) as session:
        first = allocator.allocate(session, kid=KID, family=FAMILY, list_size=1 << 10)
        session.rollback()
    with Session(engine) as session:
        # the block was committed on the allocator's own connection: the caller's rollback
        # neither removes the list nor lowers its mark, and the slot is not handed out again
        (stored,) = _lists(session)
        assert stored.allocated == DEFAULT_BLOCK_SIZE
        second = allocator.allocate(session, kid=KID, family=FAMILY, list_size=1 << 10)
    assert second != first and second.list_id == first.list_id


def test_a_released_slot_is_handed_out_again(session: Session) -> None:
    allocator = StatusListAllocator(block_size=4)
    first = allocator.allocate(session, kid=KID, family=FAMILY, list_size=8)
    allocator.release(first)  # e.g. the nonce was already spent: no credential holds the slot
    assert allocator.allocate(session, kid=KID, family=FAMILY, list_size=8) == first
    rest = [allocator.allocate(session, kid=KID, family=FAMILY, list_size=8) for _ in range(3)]
    assert first not in rest
    assert [l.allocated for l in _lists(session)] == [4]


def test_a_restarted_process_never_reuses_a_reserved_slot(engine: Engine) -> None:
    crashed = StatusListAllocator(block_size=8)
    with Session(engine) as session:
        used = [crashed.allocate(session, kid=KID, family=FAMILY, list_size=64) for _ in range(3)]
    # the process dies holding 5 unused slots of its block; its successor starts afresh
    restarted = StatusListAllocator(block_size=8)
    with Session(engine) as session:
        later = [restarted.allocate(session, kid=KID, family=FAMILY, list_size=64) for _ in range(56)]
        (stored,) = _lists(session)
        key = bytes(stored.permutation_key)
    counters_used = {unpermute(a.idx, size=64, key=key) for a in used}
    counters_later = {unpermute(a.idx, size=64, key=key) for a in later}
    assert counters_used == {0, 1, 2}
    # the crashed block's counters [0, 8) are lost, never handed out again
    assert counters_later == set(range(8, 64))
    with Session(engine) as session:
        assert restarted.allocate(session, kid=KID, family=FAMILY, list_size=64).list_id != stored.id


def test_list_size_is_validated(session: Session, allocator: StatusListAllocator) -> None:
    for size in (0, 6, (1 << 20) + 4):
        with pytest.raises(InvalidInput):
            allocator.allocate(session, kid=KID, family=FAMILY, list_size=size)
    with pytest.raises(ValueError):
        StatusListAllocator(block_size=0)


@pytest.mark.parametrize(
    ("list_size", "block_size", "one_process"),
    [(1 << 17, DEFAULT_BLOCK_SIZE, True), (64, DEFAULT_BLOCK_SIZE, True), (1 << 17, 8, False), (64, 8, False), (64, 5, False)],
)
def test_concurrent_allocations_never_share_a_slot(engine: Engine, list_size: int, block_size: int, one_process: bool) -> None:
    """Threads sharing one allocator (one worker), or each with its own (one worker each)."""
    shared = StatusListAllocator(block_size=block_size)
    allocators = [shared if one_process else StatusListAllocator(block_size=block_size) for _ in range(THREADS)]
    results: list[list[StatusAllocation]] = [[] for _ in range(THREADS)]
    start = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        start.wait()
        with Session(engine) as session:
            for _ in range(PER_THREAD):
                # one transaction per credential, as the issuance pipeline does
                results[n].append(allocators[n].allocate(session, kid=KID, family=FAMILY, list_size=list_size))
                session.commit()

    _run_threads(worker)
    slots = [(a.list_id, a.idx) for per_thread in results for a in per_thread]
    total = THREADS * PER_THREAD
    assert len(slots) == total
    assert len(set(slots)) == len(slots)
    with Session(engine) as session:
        lists = _lists(session)
    # lists are opened one after another, and only once the previous one is full
    assert [l.sequence for l in lists] == list(range(len(lists)))
    assert all(l.allocated == list_size for l in lists[:-1])
    assert all(l.allocated <= l.size for l in lists)
    # what is reserved but unused is at most a block per thread (each may have one in flight)
    reserved = sum(l.allocated for l in lists)
    assert total <= reserved < total + THREADS * block_size


# --- entries ------------------------------------------------------------------------------
def _filled_list(engine: Engine, allocator: StatusListAllocator, size: int) -> list[StatusAllocation]:
    with Session(engine) as session:
        allocations = [allocator.allocate(session, kid=KID, family=FAMILY, list_size=size) for _ in range(size)]
        session.commit()
    return allocations


def test_set_get_and_reinstate(session: Session, allocator: StatusListAllocator) -> None:
    allocation = allocator.allocate(session, kid=KID, family=FAMILY, list_size=8)
    session.commit()
    where = {"list_id": allocation.list_id, "idx": allocation.idx}
    assert get_status(session, **where) == VALID
    set_status(session, **where, status=SUSPENDED)
    session.commit()
    assert get_status(session, **where) == SUSPENDED
    set_status(session, **where, status=INVALID)
    session.commit()
    assert get_status(session, **where) == INVALID
    set_status(session, **where, status=VALID)
    session.commit()
    assert get_status(session, **where) == VALID
    rows = session.exec(select(func.count()).select_from(IssuerStatusEntry)).one()
    assert rows == 0  # reinstating removes the row; VALID is the absence of one


def test_set_status_refuses_bad_input(session: Session) -> None:
    # one slot per reservation, so the list's other slots are still free
    allocation = StatusListAllocator(block_size=1).allocate(session, kid=KID, family=FAMILY, list_size=8)
    session.commit()
    with pytest.raises(InvalidInput):
        set_status(session, list_id=allocation.list_id, idx=allocation.idx, status=3)
    with pytest.raises(InvalidInput):
        set_status(session, list_id=allocation.list_id, idx=8, status=INVALID)
    with pytest.raises(NotFound):
        set_status(session, list_id=allocation.list_id + 1000, idx=0, status=INVALID)
    unallocated = next(i for i in range(8) if i != allocation.idx)
    # a slot nobody holds yet must not be revoked, or its future holder is born revoked
    with pytest.raises(InvalidInput, match="not been allocated"):
        set_status(session, list_id=allocation.list_id, idx=unallocated, status=INVALID)


def test_concurrent_changes_to_entries_sharing_bytes_all_take_effect(
    engine: Engine, allocator: StatusListAllocator, signer: Signer
) -> None:
    # 8 two-bit entries fill exactly two bytes, four entries to a byte
    allocations = _filled_list(engine, allocator, 8)
    wanted = {a.idx: (INVALID if n % 2 == 0 else SUSPENDED) for n, a in enumerate(allocations)}
    start = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        allocation = allocations[n]
        with Session(engine) as session:
            start.wait()
            set_status(session, list_id=allocation.list_id, idx=allocation.idx, status=wanted[allocation.idx])
            session.commit()

    _run_threads(worker)
    with Session(engine) as session:
        token = build_status_list_token(
            session,
            list_id=allocations[0].list_id,
            signer=signer,
            uri="https://x/s/1",
            now=1000,
            ttl_s=60,
            validity_s=600,
        )
        assert {i: get_status(session, list_id=allocations[0].list_id, idx=i) for i in range(8)} == wanted
    decoded = decode_status_list(verify_compact(token, signer.verification_key()).payload["status_list"])
    assert decoded.nonzero() == wanted


# --- the token ----------------------------------------------------------------------------
def test_status_list_token_verifies_and_decodes(
    session: Session, allocator: StatusListAllocator, signer: Signer
) -> None:
    allocations = [allocator.allocate(session, kid=KID, family=FAMILY, list_size=1 << 17) for _ in range(40)]
    session.commit()
    wanted: dict[int, int] = {}
    for n, allocation in enumerate(allocations[:20]):
        wanted[allocation.idx] = INVALID if n % 3 else SUSPENDED
        set_status(session, list_id=allocation.list_id, idx=allocation.idx, status=wanted[allocation.idx])
    session.commit()
    uri = "https://ecert.example/status-lists/abc"
    token = build_status_list_token(
        session, list_id=allocations[0].list_id, signer=signer, uri=uri, now=1_700_000_000, ttl_s=300, validity_s=86400
    )
    verified = verify_compact(token, signer.verification_key(), expected_typ=STATUS_LIST_JWT_TYP)
    assert verified.header == {"alg": "ES256", "typ": STATUS_LIST_JWT_TYP, "kid": KID}
    payload = verified.payload
    assert (payload["sub"], payload["iat"], payload["exp"], payload["ttl"]) == (
        uri,
        1_700_000_000,
        1_700_086_400,
        300,
    )
    assert payload["status_list"]["bits"] == 2
    decoded = decode_status_list(payload["status_list"])
    assert len(decoded) == 1 << 17
    assert decoded.nonzero() == wanted


def test_a_full_size_list_with_5000_entries_set_round_trips(
    engine: Engine, allocator: StatusListAllocator, signer: Signer
) -> None:
    size, set_count = 1 << 17, 5000
    with Session(engine) as session:
        list_id = allocator.allocate(session, kid=KID, family=FAMILY, list_size=size).list_id
        session.commit()
        # every slot counts as handed out, then 5,000 entries are set straight in the table
        fill_up = update(IssuerStatusList).where(IssuerStatusList.id == list_id)  # type: ignore[arg-type]
        session.exec(fill_up.values(allocated=size))
        now = datetime.now(UTC)
        rows = [
            {"list_id": list_id, "idx": idx, "status": 1 + n % 2, "updated_at": now}
            for n, idx in enumerate(random.Random(7).sample(range(size), set_count))
        ]
        session.connection().execute(insert(IssuerStatusEntry.__table__), rows)  # type: ignore[attr-defined]
        session.commit()
        # its time is a benchmark's business (python -m benchmarks), not a test's
        for level in (9, 6):
            token = build_status_list_token(
                session, list_id=list_id, signer=signer, uri="https://x/s/big", now=1, ttl_s=60, validity_s=600,
                compression_level=level,
            )
            decoded = decode_status_list(verify_compact(token, signer.verification_key()).payload["status_list"])
            assert decoded.nonzero() == {r["idx"]: r["status"] for r in rows}
