"""What every persistent index records about itself, whatever the backend.

A stored index names its format and version and keeps the ``Config`` and the
wire registry it was built with; opening it with other settings is a
``ConfigMismatch`` that names the fields (`check_stored`). The SQLite and the
Redis backend share these.
"""

from __future__ import annotations

import dataclasses

import orjson

from ..config import Config
from ..errors import ConfigMismatch
from ..wires import Agency, WireRegistry

FORMAT = "dedup-index"
FORMAT_VERSION = 5  # 2: number keys per article; 3: site-chrome counts per site, with witnesses;
# 4: fine passage keys per short article (issue 15); 5: the SQLite file's header gets a new
# generation with every commit, which its snapshot must match (dedup.storage.snapshot), so
# that a dedup that does not know snapshots never writes a file one would then misread


def wires_json(wires: WireRegistry) -> str:
    return orjson.dumps([dataclasses.asdict(a) for a in wires.agencies]).decode()


def check_stored(location: str, stored_config: Config, stored_wires: WireRegistry,
                 config: Config | None, wires: WireRegistry | None, *, remedy: str) -> None:
    """Refuse to open an index with settings other than the ones that built it.

    Raises:
        ConfigMismatch: ``config`` or ``wires`` was given and differs from the stored one;
            the message names the fields and ends with ``remedy``.
    """
    if config is not None and config != stored_config:
        raise ConfigMismatch(
            f"{location} was built with another configuration: "
            f"{'; '.join(stored_config.differences(config))} (stored != asked); open it "
            f"without these options to use the stored ones, or {remedy}")
    if wires is not None and wires_json(wires) != wires_json(stored_wires):
        raise ConfigMismatch(
            f"{location} was built with another wire registry (wires: the stored "
            f"registry != the one given); open it without --wires to use the stored one")


def wires_from_json(text: str) -> WireRegistry:
    agencies = []
    for entry in orjson.loads(text):
        agencies.append(Agency(**{k: tuple(v) if isinstance(v, list) else v
                                  for k, v in entry.items()}))
    return WireRegistry(agencies, "the index's stored wire registry")


def dedup_version() -> str:
    from .. import __version__
    return __version__
