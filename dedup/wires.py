"""The wire registry: news agencies with their aliases, domains and dateline codes.

Built from the packaged ``dedup/data/wires.json``, with an optional user file
merged over it. It answers "which wire is this publisher / URL / dateline code?"
and hands its tables to the core once (``_core.Wires``), which answers the lookups
and reads credit lines (``credits.detect``).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from . import _core
from .errors import ConfigError

_FIELDS = ("name", "aliases", "domains", "dateline_codes", "note")
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
_EXAMPLE = '{"name": "Xinhua", "aliases": ["新华社"], "domains": ["news.cn"]}'


@dataclass(frozen=True)
class Agency:
    """One news agency as the registry file describes it.

    Attributes:
        name: canonical name reported everywhere (``"Xinhua"``).
        aliases: publisher names and credit names, in any script (``"新华社"``).
        domains: host names the agency publishes under; subdomains count too.
        dateline_codes: codes used only inside dateline parentheses (``"CNA"``),
            for codes too ambiguous to be aliases.
        note: why the agency is listed and what is special about its names.
    """

    name: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    dateline_codes: tuple[str, ...] = ()
    note: str = ""


def _key(name: str) -> str:
    """Case-, width- and whitespace-insensitive form of a name (NFKC, ``casefold``,
    spaces collapsed; src/wires.rs)."""
    return _core.wire_key(name)


def _is_short(alias: str) -> bool:
    """Short ASCII aliases (AP, APP, UPI) keep their exact case in running text."""
    return alias.isascii() and len(alias) <= 4


def _unspaced_script(alias: str) -> bool:
    """True for Han, kana and Hangul aliases, which match without word boundaries."""
    return any("\u1100" <= c <= "\u11ff" or "\u2e80" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af"
               or "\uf900" <= c <= "\ufaff" for c in alias)


_PLAIN_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?//([^/?#@\[\]:%\s\\]*)"
                        r"(?::[0-9]*)?(?:[/?#]|\Z)")


def url_host(url: str | None) -> str | None:
    """The lower-case host of ``url`` (a bare ``host/path`` works too), or None.

    Example:
        >>> url_host("https://English.News.cn/2025/x.html")
        'english.news.cn'
    """
    if not url:
        return None
    text = url.strip()
    if "://" not in text and not text.startswith("//"):
        text = "//" + text
    # The usual scheme://host[:port]/… without urlsplit's object (~20 µs an article in
    # the indexing process); user info, IPv6 literals, spaces and odd ports take urlsplit.
    plain = _PLAIN_URL.match(text)
    if plain is not None:
        host = plain.group(1).lower()
    else:
        try:
            host = urlsplit(text).hostname
        except ValueError:
            return None
    return (host or "").rstrip(".") or None


class WireRegistry:
    """The known news agencies, immutable once built.

    Build it with `WireRegistry.default` or `WireRegistry.load` and keep it: it
    compiles its patterns when built, and nothing is cached at module level.

    Example:
        >>> wires = WireRegistry.default()
        >>> wires.by_source("Xinhua News Agency"), wires.by_url("https://english.news.cn/x")
        ('Xinhua', 'Xinhua')
    """

    __slots__ = ("_agencies", "_by_key", "_by_domain", "_tables", "core")

    def __init__(self, agencies: Iterable[Agency], origin: str = "wire registry") -> None:
        """Index ``agencies``.

        Args:
            agencies: the agencies, in priority order (the first one wins a
                case-variant clash in running text).
            origin: names the source of ``agencies`` in error messages.

        Raises:
            ConfigError: two agencies share a name, alias, domain or dateline code.
        """
        self._agencies: tuple[Agency, ...] = tuple(agencies)
        self._by_key: dict[str, str] = {}
        by_code: dict[str, str] = {}
        by_folded_code: dict[str, str] = {}
        self._by_domain: dict[str, str] = {}
        for agency in self._agencies:
            for alias in (agency.name, *agency.aliases):
                _claim(self._by_key, _key(alias), agency.name, f'alias "{alias}"', origin)
            for code in (*agency.aliases, *agency.dateline_codes):
                _claim(by_code, code, agency.name, f'code "{code}"', origin)
                if not _is_short(code):
                    by_folded_code.setdefault(_key(code), agency.name)
            for domain in agency.domains:
                _claim(self._by_domain, domain, agency.name, f'domain "{domain}"', origin)
        # Case variants searched in running text: exact case for short aliases,
        # as written / Title / UPPER otherwise. Variants starting with a lower-case
        # letter are left out: "dpa" in running text is too often not the agency.
        scan_names: dict[str, tuple[str, bool]] = {}
        for agency in self._agencies:
            for alias in (agency.name, *agency.aliases):
                stem = alias[4:] if alias[:4] in ("The ", "the ") else alias
                forms = (stem,) if _is_short(stem) else (stem, stem[:1].upper() + stem[1:],
                                                           stem.upper())
                for form in forms:
                    if form and not ("a" <= form[0] <= "z"):
                        scan_names.setdefault(form, (agency.name, not _unspaced_script(form)))
        names = [a for agency in self._agencies for a in (agency.name, *agency.aliases)]
        spaced = [a for a in names if not _unspaced_script(a)]
        #: The registry's tables in the core, which reads credit lines with them.
        self._tables = (
            [a.name for a in self._agencies], list(self._by_key.items()),
            list(by_code.items()), list(by_folded_code.items()),
            [(form, wire, bounded) for form, (wire, bounded) in scan_names.items()],
            [a for a in spaced if not _is_short(a)], [a for a in spaced if _is_short(a)],
            [a for a in names if _unspaced_script(a)], list(self._by_domain.items()))
        self.core = _core.Wires(*self._tables)

    def core_tables(self) -> tuple[list, ...]:
        """The tables handed to the core (``_core.Wires``): wire names, alias keys,
        codes, folded codes, scanned case variants (form, wire, bounded), spaced
        long and short aliases, unspaced ones, domains (host, wire)."""
        return self._tables

    # -- construction ---------------------------------------------------------

    @classmethod
    def default(cls) -> WireRegistry:
        """The registry packaged with dedup (``dedup/data/wires.json``).

        Raises:
            ConfigError: the packaged file is damaged (a broken installation).
        """
        return cls(_default_agencies(), "packaged wires.json")

    @classmethod
    def load(cls, path: str | Path) -> WireRegistry:
        """The packaged registry with the user file at ``path`` merged over it.

        The user file has the packaged file's format. An agency whose ``name``
        matches a packaged one adds its aliases, domains and codes to it; a new
        name adds an agency. A name, domain or code the user file gives to one
        agency is taken away from any packaged agency that had it.

        Args:
            path: the user's JSON file.

        Raises:
            ConfigError: the file cannot be read or is not a valid registry; the
                message names the file, the agency and the fix.
        """
        origin = f"wires file {path}"
        try:
            raw = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ConfigError(f"{origin}: cannot read it ({reason})") from None
        overlay = _parse(raw, origin)
        return cls(_merge(_default_agencies(), overlay), origin)

    def __reduce__(self) -> tuple:
        # Pickle the data, not the core's tables (a registry sent to another process).
        return (type(self), (self._agencies,))

    def __repr__(self) -> str:
        return f"WireRegistry({len(self._agencies)} agencies)"

    def __len__(self) -> int:
        return len(self._agencies)

    # -- lookups ----------------------------------------------------------------

    @property
    def agencies(self) -> tuple[Agency, ...]:
        """The agencies, in file order."""
        return self._agencies

    @property
    def names(self) -> tuple[str, ...]:
        """Canonical names of the agencies."""
        return tuple(a.name for a in self._agencies)

    def by_source(self, source: str) -> str | None:
        """The wire a publisher name denotes, ignoring case, width and spacing.

        Args:
            source: a publisher name as feeds give it (``"Xinhua News Agency"``).

        Returns:
            The canonical wire name, or None. Dateline-only codes such as
            ``"CNA"`` do not count: as publisher names they are ambiguous.

        Example:
            >>> WireRegistry.default().by_source(" 新华网 ")
            'Xinhua'
        """
        return self.core.by_source(source) if source else None

    def publisher(self, source: str | None, url: str | None) -> tuple[str | None, str | None]:
        """Whether an article's publisher is a wire: ``(wire, how we know)`` from its
        source's name, else from the domain of its URL; ``(None, None)`` if neither."""
        if source and (wire := self.by_source(source)):
            return wire, f"source {source!r}"
        if url and (wire := self.by_url(url)):
            return wire, f"URL {url}"
        return None, None

    def by_url(self, url: str) -> str | None:
        """The wire whose domain hosts ``url`` (the host or a parent domain).

        Args:
            url: an absolute URL, or a bare host/path such as ``"apnews.com/x"``.

        Returns:
            The canonical wire name, or None (also for unparsable URLs).
        """
        host = url_host(url) or ""
        while host:
            if (wire := self._by_domain.get(host)) is not None:
                return wire
            host = host.partition(".")[2]
        return None

    def by_code(self, code: str) -> str | None:
        """The wire a code inside dateline parentheses denotes (``(AP)``, ``(新华社)``).

        Short ASCII codes must match exactly (``"AP"``, not ``"ap"``); longer
        ones and non-Latin ones ignore case and width.
        """
        return self.core.by_code(code)

    def find_wires(self, text: str) -> tuple[str, ...]:
        """Wires named anywhere in a short string (a source value, a byline).

        Aliases in spaced scripts must stand as whole words; short ASCII ones
        must match case. Dateline-only codes do not count.

        Returns:
            Canonical names in order of first appearance, without repeats.
        """
        return tuple(self.core.find_wires(text))


def _claim(table: dict[str, str], key: str, owner: str, what: str, origin: str) -> None:
    holder = table.setdefault(key, owner)
    if holder != owner:
        raise ConfigError(f'{origin}: {what} is listed under both "{holder}" and "{owner}"; '
                          f"keep it under one agency")


def _default_agencies() -> list[Agency]:
    origin = "packaged wires.json"
    try:
        raw = resources.files("dedup").joinpath("data/wires.json").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{origin}: cannot read it ({exc}); reinstall dedup") from None
    return _parse(raw, origin)


def _merge(base: list[Agency], overlay: list[Agency]) -> list[Agency]:
    """``overlay`` over ``base``: same names extend, new names append, claims move."""
    claimed_keys = {_key(a) for ag in overlay for a in (ag.name, *ag.aliases)}
    claimed_domains = {d for ag in overlay for d in ag.domains}
    claimed_codes = {c for ag in overlay for c in (ag.name, *ag.aliases, *ag.dateline_codes)}
    extra = {_key(ag.name): ag for ag in overlay}
    merged = []
    for agency in base:
        add = extra.pop(_key(agency.name), None)
        if add is not None:
            merged.append(replace(
                agency,
                aliases=tuple(dict.fromkeys((*agency.aliases, *add.aliases))),
                domains=tuple(dict.fromkeys((*agency.domains, *add.domains))),
                dateline_codes=tuple(dict.fromkeys((*agency.dateline_codes, *add.dateline_codes))),
                note=add.note or agency.note))
        else:
            merged.append(replace(
                agency,
                aliases=tuple(a for a in agency.aliases if _key(a) not in claimed_keys),
                domains=tuple(d for d in agency.domains if d not in claimed_domains),
                dateline_codes=tuple(c for c in agency.dateline_codes if c not in claimed_codes)))
    return merged + list(extra.values())


def _parse(raw: str, origin: str) -> list[Agency]:
    """Validate a registry file's text; errors name ``origin``, the agency and the fix."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{origin}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                          f"{exc.msg})") from None
    if not isinstance(data, list):
        raise ConfigError(f"{origin}: expected a JSON list of agencies like [{_EXAMPLE}], "
                          f"got {_kind(data)}")
    agencies, seen = [], {}
    for number, entry in enumerate(data, 1):
        where = f"{origin}: agency {number}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} is {_kind(entry)}; expected an object like {_EXAMPLE}")
        for field in entry:
            if field not in _FIELDS:
                close = difflib.get_close_matches(field, _FIELDS, n=1)
                hint = f' (did you mean "{close[0]}"?)' if close else ""
                raise ConfigError(f'{where}: unknown field "{field}"{hint}; the fields are '
                                  f"{', '.join(_FIELDS)}")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f'{where} has no "name"; give the canonical agency name, '
                              f'e.g. "name": "Xinhua"')
        where = f'{where} ("{name}")'
        if _key(name) in seen:
            raise ConfigError(f'{where}: the name is already used by agency {seen[_key(name)]}; '
                              f"give each agency one entry")
        seen[_key(name)] = number
        note = entry.get("note", "")
        if not isinstance(note, str):
            raise ConfigError(f'{where}: "note" must be a string, got {_kind(note)}')
        domains = tuple(_domain(d, where) for d in _strings(entry, "domains", where))
        agencies.append(Agency(name.strip(), _strings(entry, "aliases", where), domains,
                               _strings(entry, "dateline_codes", where), note))
    return agencies


def _strings(entry: Mapping, field: str, where: str) -> tuple[str, ...]:
    value = entry.get(field, [])
    if not isinstance(value, list):
        hint = f'; write "{field}": [{json.dumps(value, ensure_ascii=False)}]' \
            if isinstance(value, str) else ""
        raise ConfigError(f'{where}: "{field}" must be a list of strings, got {_kind(value)}{hint}')
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f'{where}: "{field}" must hold non-empty strings, '
                              f"found {json.dumps(item, ensure_ascii=False)}")
    return tuple(dict.fromkeys(item.strip() for item in value))


def _domain(value: str, where: str) -> str:
    host = value.strip().lower().rstrip(".")
    if not _HOST.fullmatch(host):
        bare = urlsplit(host if "//" in host else "//" + host).hostname or "apnews.com"
        raise ConfigError(f'{where}: domain "{value}" is not a bare host name; '
                          f'write it like "{bare}"')
    return host


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
