import os
from pathlib import Path

import pytest

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
