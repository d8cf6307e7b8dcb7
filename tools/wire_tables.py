"""Write the wire registry's tables, as ``WireRegistry`` hands them to the core
(``_core.Wires``), to a JSON file: what the cargo-fuzz target ``credits`` reads,
so that the credit rules are fuzzed with the real registry and no Python.

    python tools/wire_tables.py fuzz/wire_tables.json
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson

from dedup.wires import WireRegistry


def main(out: str) -> None:
    tables = WireRegistry.default().core_tables()
    Path(out).write_bytes(orjson.dumps(tables))
    print(f"{out}: {len(tables[0])} wires", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tools/wire_tables.py OUT.json")
    main(sys.argv[1])
