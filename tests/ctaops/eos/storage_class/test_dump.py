"""The dump reader (``ctaops._core.EosDump`` and :func:`ctaops.eos.storage_class.dump.read_dump`), by property."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctaops.eos.storage_class.dump import read_dump
from ctaops.errors import ParseError

IDS = st.integers(min_value=0, max_value=2**64 - 1)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)))
"""Text a UTF-8 file can hold (no lone surrogates)."""
NAMES = TEXT.filter(lambda s: bool(s) and s.strip() == s)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


def write(lines: list[str]) -> Path:
    f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8")  # noqa: SIM115
    with f:
        f.write("\n".join(lines) + "\n")
    return Path(f.name)


def number_or_string(n: int) -> st.SearchStrategy[Any]:
    return st.sampled_from([n, str(n)])


@st.composite
def entries(draw: st.DrawFn) -> tuple[dict[str, Any], tuple[int, int, str, str]]:
    """A valid line in one of the accepted shapes, and the (fid, archive id, class, path) it means."""
    fid, archive_id = draw(IDS), draw(IDS)
    target, path = draw(NAMES), draw(TEXT)
    doc: dict[str, Any] = {draw(st.sampled_from(["fid", "id"])): draw(number_or_string(fid)), "path": path}
    xattr: dict[str, Any] = {"sys.eos.btime": "1.0"}
    if draw(st.booleans()):
        xattr["sys.archive.file_id"] = str(archive_id)
    else:
        doc[draw(st.sampled_from(["archiveFileId", "archiveId"]))] = draw(number_or_string(archive_id))
    if draw(st.booleans()):
        doc["storageclass"] = target
        xattr["sys.archive.storage_class"] = draw(NAMES)
    else:
        xattr["sys.archive.storage_class"] = target
    doc["xattr"] = xattr
    doc.update(draw(st.dictionaries(st.sampled_from(["size", "uid", "other"]), JSONISH, max_size=2)))
    return doc, (fid, archive_id, target, path)


@given(st.lists(entries(), min_size=1, max_size=5))
def test_every_accepted_shape_reads_back(cases: list[tuple[dict[str, Any], tuple[int, int, str, str]]]) -> None:
    path = write([json.dumps(doc) for doc, _ in cases])
    try:
        got = read_dump(str(path), "eosctaops").files()
    finally:
        path.unlink()
    assert [(f.line, f.fid, f.archive_id, f.target, f.path) for f in got] == [
        (i, fid, a, target, p) for i, (_, (fid, a, target, p)) in enumerate(cases, 1)
    ]


@given(st.lists(TEXT | JSONISH.map(json.dumps), min_size=1, max_size=4))
def test_any_input_reads_or_is_refused_with_the_line(lines: list[str]) -> None:
    path = write(lines)
    error = ""
    try:
        read_dump(str(path), "eosctaops")
    except ParseError as e:  # the only way it may fail
        error = str(e)
    finally:
        path.unlink()
    assert error == "" or error.startswith("dump: line ")


def test_the_first_bad_line_is_named() -> None:
    path = write(['{"fid": 1, "archiveId": 2, "storageclass": "a"}', "", '{"fid": 3, "storageclass": "a"}'])
    try:
        with pytest.raises(ParseError, match=r"^dump: line 3: no archive file ID"):
            read_dump(str(path), "eosctaops")
    finally:
        path.unlink()


@given(
    st.lists(st.sampled_from(["a", "b", "c"]), min_size=0, max_size=30),
    st.sets(st.integers(min_value=1, max_value=30)),
    st.integers(min_value=1, max_value=7),
)
def test_plan_and_splits_agree_with_the_files(classes: list[str], done: set[int], size: int) -> None:
    path = write([json.dumps({"fid": i, "archiveId": 100 + i, "storageclass": c}) for i, c in enumerate(classes, 1)])
    try:
        dump = read_dump(str(path), "eosctaops")
    finally:
        path.unlink()
    files = dump.files()
    assert len(dump) == len(files) == len(classes)
    assert [f for part in dump.splits(size) for f in part] == files
    assert dump.targets() == sorted(set(classes))
    # An earlier run finished the files of `done` to their target, and moved line 1 elsewhere.
    finished = {100 + i: classes[i - 1] for i in done if i <= len(classes)}
    if classes:
        finished[101] = "elsewhere"
    todo = [f for f in files if finished.get(f.archive_id) != f.target]
    plan = dump.plan(finished, size)
    assert plan.todo == len(todo)
    assert plan.per_class == sorted(Counter(f.target for f in todo).items())
    expected = [todo[i : i + size] for i in range(0, len(todo), size)]
    assert [(s.first_line, s.last_line) for s in plan.splits] == [(p[0].line, p[-1].line) for p in expected]
    assert [s.per_class for s in plan.splits] == [sorted(Counter(f.target for f in p).items()) for p in expected]


def test_a_line_of_another_instance_refuses_the_dump() -> None:
    path = write(
        [
            '{"fid": 1, "archiveId": 2, "storageclass": "a"}',
            '{"fid": 3, "archiveId": 4, "storageclass": "a", "instance": "eosctaops"}',
            '{"fid": 5, "archiveId": 6, "storageclass": "a", "instance": "eosother"}',
        ]
    )
    try:
        with pytest.raises(ParseError, match=r"^dump: line 3: instance eosother is not the instance given with -i"):
            read_dump(str(path), "eosctaops")
    finally:
        path.unlink()
