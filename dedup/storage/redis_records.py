"""How a Redis index lays out its keys and records, and the writes of a section.

Key layout (P = the prefix; integers as decimal strings; no pickle anywhere):

* ``P:header`` hash: format, format_version, backend, dedup_version, created,
  config (JSON), wires (JSON), next_arrival, next_cluster.
* ``P:lock``: the index lock (a token with a lease); ``P:applied:<token>``:
  that writer's last applied sequence number (1-day expiry).
* ``P:ids`` id → arrival; ``P:meta`` arrival → JSON metadata (id, added,
  size, title, url, source, published, wire and credit evidence);
  ``P:cl`` arrival → cluster; ``P:order`` zset of arrivals (oldest first);
  ``P:texts`` arrival → zlib-compressed text.
* ``P:fp`` arrival → fingerprints, little-endian: version byte (3), size u32,
  content hash u64, number count u16, fine passage count u16, ``num_perm``
  signature u32s, number keys u32s, fine passage keys u64s (short articles,
  ``Prepared.fine``), passage band keys u64s. Version 2 records (without the
  fine count and keys: judged by their passages) and version 1 records (nor
  the number count and the numbers) are still read.
* ``P:clusters`` cluster → JSON ``{"original", "members", "notes"}``.
* ``P:p:<passage key, u64 big-endian>`` set of arrivals.
* ``P:chrome_entries`` per-site short line → its ``dedup.chrome.ChromeCounts``
  entry (`pack_chrome`: count u32, last seen u64, packed witnesses), and the
  header's ``chrome_seen`` (observations counted); ``P:chrome`` list of the
  chrome lines in the order they became chrome (clients fetch what is new).
  Format 3; format 2's ``P:chrome_counts`` (global counts) is dropped on the
  first write.
* Whole-text bands: datasketch's ``MinHashLSH`` Redis layout, basename ``P``,
  ``prepickle=False``, the article id (UTF-8) as key: ``P_bucket_<band u16
  big-endian>`` hash band value → bucket key, the bucket sets of ids, and
  ``P_keys`` hash id → list key. A band value is the signature's ``rows``
  values as big-endian u32 bytes, as datasketch's ``_byteswap`` makes it from
  ``LeanMinHash(..., scheme="affine32")``.
* ``P:bands:<BLAKE2b-128 of the id, hex>`` list of an article's band values
  (datasketch names it ``P_keys<id>``: an id like ``:header`` then named any
  key under ``P_keys``; format 3, ``BAND_LISTS_VERSION``). datasketch's
  ``query`` and ``in`` read this layout; its ``remove`` and ``insert`` do not.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import orjson

from ..chrome import pack_witnesses, unpack_witnesses
from ..errors import IndexFormatError
from ..fingerprint import PASSAGE_BANDS
from .store import ClusterState, Doc, Probe

# The Redis index format: the content of the shared format (`header`) plus the Redis
# key layout. Redis format 3 names each article's band list from a hash of its id
# (``Layout.band_list``; ``band_list_moves`` upgrades an index of an earlier format
# when a writer opens it) and keeps site-chrome counts per site (format 2's global
# counts are dropped); format 4 adds the fine passage keys. The SQLite file's format 5
# (a generation per commit, for its snapshot) changes nothing here.
BAND_LISTS_VERSION = 3
REDIS_FORMAT_VERSION = 4

_META_FIELDS = ("title", "url", "source", "published", "wire", "wire_evidence", "credited",
                "credit_text", "mentions", "canonical", "canonical_wire", "extraction")
_FP_HEAD = struct.Struct("<BIQ")  # record version, size, content hash
_U32 = struct.Struct(">I")
_U16 = struct.Struct("<H")
_CHROME = struct.Struct("<IQ")  # count, last seen


class Layout:
    """The key names of one index.

    Args:
        prefix: the index's prefix (``?prefix=``).
        bands: LSH bands.
        rows: values per band.
    """

    def __init__(self, prefix: str, bands: int, rows: int) -> None:
        self.prefix = prefix
        self.key = {name: f"{prefix}:{name}" for name in (
            "header", "ids", "meta", "cl", "fp", "texts", "order", "clusters", "chrome",
            "chrome_entries", "chrome_counts")}
        base = prefix.encode()
        self.tables = [base + b"_bucket_" + struct.pack(">H", j) for j in range(bands)]
        self.keys_name = base + b"_keys"
        self._band_lists = base + b":bands:"
        self._passages = base + b":p:"
        self._rows = rows

    def bands(self, sig: np.ndarray) -> list[bytes]:
        """datasketch's band values of a signature (big-endian u32 bytes)."""
        width = 4 * self._rows
        raw = sig[:len(self.tables) * self._rows].astype(">u4").tobytes()
        return [raw[j * width:(j + 1) * width] for j in range(len(self.tables))]

    def buckets(self, sig: np.ndarray) -> list[bytes]:
        """The datasketch bucket key (a set of article ids) of each band."""
        return [t + b for t, b in zip(self.tables, self.bands(sig), strict=True)]

    def band_list(self, ident: bytes) -> bytes:
        """The list of an article's band values: named from a hash of the id, so no id
        can name another key."""
        return self._band_lists + hashlib.blake2b(ident, digest_size=16).hexdigest().encode()

    def passage(self, key: int) -> bytes:
        """The set of arrivals that have passage band key ``key``."""
        return self._passages + struct.pack(">Q", key)


def write_ops(layout: Layout, gone: Iterable[tuple[int, Doc, Probe]],
              new: Iterable[tuple[int, Doc, Probe, bytes | None, bool]],
              clusters: Iterable[tuple[int, ClusterState | None]],
              counters: tuple[int, int], moved: Iterable[tuple[int, int]] = (),
              chrome: ChromeWrites | None = None) -> bytes:
    """The operations of the ``apply`` script (``dedup.storage.redis_lua.APPLY``) for a section,
    encoded as that script reads them.

    Args:
        layout: the key names.
        gone: ``(arrival, doc, fingerprints)`` of stored articles removed.
        new: ``(arrival, doc, fingerprints, compressed text, indexed)`` of new
            articles (``indexed``: make it findable in the LSH tables).
        clusters: ``(id, state)`` of changed clusters (``None``: deleted).
        counters: ``(next_arrival, next_cluster)``.
        moved: ``(arrival, cluster)`` of stored articles a merge moved.
        chrome: changed site-chrome entries (`ChromeWrites`).
    """
    parts: list[bytes] = []
    k = layout.key

    def op(*args: Any) -> None:
        _encode(args, parts)

    def cmd(*args: Any) -> None:
        op("C", *args)

    for a, doc, probe in gone:
        ident = doc.id.encode()
        cmd("HDEL", k["ids"], ident)
        for name in ("meta", "cl", "fp", "texts"):
            cmd("HDEL", k[name], a)
        cmd("ZREM", k["order"], a)
        for table, band in zip(layout.tables, layout.bands(probe.sig), strict=True):
            op("S", table + band, ident, table, band)
        cmd("HDEL", layout.keys_name, ident)
        cmd("DEL", layout.band_list(ident))
        for key in np.unique(probe.passages).tolist():
            cmd("SREM", layout.passage(key), a)
    for a, doc, probe, text, indexed in new:
        ident = doc.id.encode()
        cmd("HSET", k["ids"], ident, a)
        cmd("HSET", k["meta"], a, pack_meta(doc, probe.size))
        cmd("HSET", k["cl"], a, doc.cluster)
        cmd("HSET", k["fp"], a, pack_fp(probe))
        cmd("ZADD", k["order"], a, a)
        if text is not None:
            cmd("HSET", k["texts"], a, text)
        if indexed:  # as datasketch's MinHashLSH.insert writes it
            bands = layout.bands(probe.sig)
            listed = layout.band_list(ident)
            cmd("HSET", layout.keys_name, ident, listed)
            cmd("DEL", listed)
            cmd("RPUSH", listed, *bands)
            for table, band in zip(layout.tables, bands, strict=True):
                cmd("HSET", table, band, table + band)
                cmd("SADD", table + band, ident)
            for key in np.unique(probe.passages).tolist():
                cmd("SADD", layout.passage(key), a)
    for a, cid in moved:
        cmd("HSET", k["cl"], a, cid)
    for cid, cluster in clusters:
        if cluster is None:
            cmd("HDEL", k["clusters"], cid)
        else:
            cmd("HSET", k["clusters"], cid, orjson.dumps(
                {"original": cluster.original, "members": cluster.members,
                 "notes": cluster.notes}))
    if chrome is not None:
        for key, entry in chrome.entries.items():
            if entry is None:
                cmd("HDEL", k["chrome_entries"], key)
            else:
                cmd("HSET", k["chrome_entries"], key, pack_chrome(entry))
        if chrome.became:
            cmd("RPUSH", k["chrome"], *chrome.became)
        cmd("HSET", k["header"], "chrome_seen", chrome.seen)
        cmd("DEL", k["chrome_counts"])  # format 2's global counts
    # format_version too: what this section wrote may be in this version's format
    # (an index created by format 1 then says 2, and a format-1 dedup asks for an upgrade)
    cmd("HSET", k["header"], "next_arrival", counters[0], "next_cluster", counters[1],
        "format_version", REDIS_FORMAT_VERSION)
    return b"".join(parts)


@dataclass
class ChromeWrites:
    """The site-chrome changes of a section: entries (``None``: forgotten), the
    keys that became chrome, in order, and the observation counter."""

    entries: dict[int, list | None] = field(default_factory=dict)
    became: list[int] = field(default_factory=list)
    seen: int = 0


def pack_chrome(entry: list) -> bytes:
    """A ``ChromeCounts`` entry as bytes."""
    return _CHROME.pack(entry[0], entry[1]) + pack_witnesses(entry[2])


def unpack_chrome(raw: bytes, where: str) -> list:
    """The inverse of `pack_chrome`.

    Raises:
        IndexFormatError: the record is damaged.
    """
    try:
        count, last = _CHROME.unpack_from(raw)
        return [count, last, unpack_witnesses(raw[_CHROME.size:])]
    except (struct.error, ValueError):
        raise IndexFormatError(f"{where} is corrupted: a site-chrome entry cannot be read; "
                               f"rebuild the index") from None


def _encode(args: tuple[Any, ...], parts: list[bytes]) -> None:
    """One operation as the ``apply`` script reads it: a u32 count, then each string
    as a u32 length and its bytes."""
    parts.append(_U32.pack(len(args)))
    for arg in args:
        raw = arg if isinstance(arg, bytes) else str(arg).encode("utf-8")
        parts.append(_U32.pack(len(raw)))
        parts.append(raw)


def _ops(commands: Iterable[tuple[Any, ...]]) -> bytes:
    """Commands encoded as the ``apply`` script's operations."""
    parts: list[bytes] = []
    for command in commands:
        _encode(("C", *command), parts)
    return b"".join(parts)


def band_list_moves(layout: Layout, listed: dict[bytes, bytes], kinds: dict[bytes, str],
                    values: dict[bytes, list[bytes]]) -> bytes:
    """The upgrade to format 3 for some articles: each band list moved from where
    ``P_keys`` says it is (datasketch's ``P_keys<id>``) to ``layout.band_list(id)``.

    Args:
        listed: id → the list key ``P_keys`` names.
        kinds: list key → its Redis type; a key that is not a list is not ours
            (an id like ``:header`` named another index's key) and is left alone.
        values: list key → its band values.
    """
    commands: list[tuple[Any, ...]] = []
    for ident, old in listed.items():
        new = layout.band_list(ident)
        if old == new:
            continue
        if kinds.get(old) == "list":
            commands.append(("DEL", new))
            if values.get(old):
                commands.append(("RPUSH", new, *values[old]))
            commands.append(("DEL", old))
        commands.append(("HSET", layout.keys_name, ident, new))
    return _ops(commands)


def format_op(layout: Layout) -> bytes:
    """The ``apply`` operation that says the index is in this format."""
    return _ops([("HSET", layout.key["header"], "format_version", REDIS_FORMAT_VERSION)])


def pack_meta(doc: Doc, size: int) -> bytes:
    """An article's metadata record (JSON)."""
    fields = {name: getattr(doc, name) for name in _META_FIELDS}
    fields["published"] = doc.published.isoformat() if doc.published else None
    return orjson.dumps({"id": doc.id, "added": doc.added, "size": size, **fields})


def unpack_meta(raw: bytes, arrival: int, cluster: bytes | None, where: str) -> tuple[Doc, int]:
    """``(doc, size)`` from a metadata record.

    Raises:
        IndexFormatError: the record is damaged.
    """
    try:
        fields = orjson.loads(raw)
        published = fields.get("published")
        doc = Doc(id=fields["id"], arrival=arrival, cluster=int(cluster or 0),
                  added=fields["added"], **{k: fields.get(k) for k in _META_FIELDS})
        doc.published = datetime.fromisoformat(published) if published else None
        doc.credited = tuple(doc.credited or ())
        doc.mentions = tuple(doc.mentions or ())
        return doc, int(fields["size"])
    except (KeyError, ValueError, TypeError, orjson.JSONDecodeError) as exc:
        raise IndexFormatError(f"{where}: the metadata of article {arrival} is damaged "
                               f"({exc})") from None


def unpack_cluster(cid: int, raw: bytes) -> ClusterState:
    """A cluster from its JSON record."""
    record = orjson.loads(raw)
    return ClusterState(cid, record["original"], record["members"], record["notes"])


def pack_fp(probe: Probe) -> bytes:
    """An article's fingerprint record."""
    return (_FP_HEAD.pack(3, probe.size, probe.content_hash)
            + _U16.pack(len(probe.numbers)) + _U16.pack(len(probe.fine))
            + probe.sig.astype("<u4").tobytes() + probe.numbers.astype("<u4").tobytes()
            + probe.fine.astype("<u8").tobytes() + probe.passages.astype("<u8").tobytes())


def unpack_fp(raw: bytes, num_perm: int, where: str) -> Probe:
    """Fingerprints from their record (version 1 records have no numbers, versions
    1 and 2 no fine passages).

    Raises:
        IndexFormatError: wrong length or version.
    """
    version = raw[0] if raw else 0
    head = _FP_HEAD.size + _U16.size * {2: 1, 3: 2}.get(version, 0)
    count = fine = 0
    if version >= 2 and len(raw) >= head:
        count = _U16.unpack_from(raw, _FP_HEAD.size)[0]
        if version == 3:
            fine = _U16.unpack_from(raw, _FP_HEAD.size + _U16.size)[0]
    rest = len(raw) - head - 4 * num_perm - 4 * count - 8 * fine
    if version not in (1, 2, 3) or rest < 0 or rest % (8 * PASSAGE_BANDS):
        raise IndexFormatError(f"{where}: a fingerprint record has the wrong length or version; "
                               f"the index is damaged")
    _, size, content_hash = _FP_HEAD.unpack_from(raw)
    sig = np.frombuffer(raw, dtype="<u4", count=num_perm, offset=head).astype(np.uint32)
    at = head + 4 * num_perm
    numbers = np.frombuffer(raw, dtype="<u4", count=count, offset=at).astype(np.uint32)
    at += 4 * count
    fine_keys = np.frombuffer(raw, dtype="<u8", count=fine, offset=at).astype(np.uint64)
    passages = np.frombuffer(raw, dtype="<u8", offset=at + 8 * fine).astype(np.uint64)
    return Probe(sig, size, content_hash, passages, numbers, fine=fine_keys)
