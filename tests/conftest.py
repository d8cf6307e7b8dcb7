import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests: with CI set (as CI services do), the examples are derived from each test
# itself (derandomize) and no example database is kept, so a run is the same run every
# time; elsewhere they are random (new examples each run) and a failure prints the blob
# that replays it. HYPOTHESIS_PROFILE=ci or =dev chooses explicitly.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI")
                                                               else "dev"))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED_DATA = Path(os.environ.get("DEDUP_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


def final_state(index) -> tuple[set, dict]:
    """Clusters as sets of ids, and each verdict without the cluster number."""
    partition = {frozenset(v.id for v in c.members) for c in index.clusters()}
    verdicts = {}
    for v in index.verdicts():
        record = v.to_dict()
        del record["cluster"]
        verdicts[v.id] = record
    return partition, verdicts


def mount_tmpfs(mount: Path, size: str) -> None:
    """Mount a small tmpfs at ``mount`` (a simulated full or read-only disk), or skip
    the test where that is not allowed; unmount it with ``umount``."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0) or shutil.which("mount") is None:
        pytest.skip(f"needs root to mount a {size} tmpfs (a simulated small or read-only disk)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"mount -t tmpfs not permitted here: {done.stderr.decode().strip()}")
