"""Writes synthetic news text in English and Chinese for `bench.corpus`.

A `Vocabulary` (built once from `bench.lexicon`, the same for every corpus) draws words Zipf-like
from a long-tailed vocabulary; `EnglishWriter` and `ChineseWriter` turn those words, a story's
named entities and a small sentence grammar into paragraphs (`bench.templates` writes the
templated reports).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bench import lexicon as L

_MASK = (1 << 64) - 1
_TABLE_BITS = 18  # inverse-CDF table resolution: ranks with p < 2**-18 are never drawn


def mix(*parts: int) -> int:
    """Hash integers into one 64-bit key (splitmix64 steps), used to seed per-story generators."""
    h = 0x9E3779B97F4A7C15
    for p in parts:
        h = (h ^ (p & _MASK)) & _MASK
        h = (h + 0x9E3779B97F4A7C15) & _MASK
        h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & _MASK
        h ^= h >> 31
    return h


class Rng:
    """A Python generator reseeded from one 64-bit key per story or copy.

    Bulk word draws take bytes from it (`randbytes`) and map them through numpy lookup tables:
    numpy's own Generator costs ~27 µs to create and ~10 µs per small call, which dominated.
    """

    def __init__(self) -> None:
        self.py = random.Random()

    def reseed(self, key: int) -> None:
        self.py.seed(key)

    def uniform32(self, k: int) -> np.ndarray:
        return np.frombuffer(self.py.randbytes(4 * k), dtype=np.uint32)


class Lexeme:
    """One word class: words ordered by rank and a table for Zipf-Mandelbrot draws."""

    def __init__(self, words: list[str], exponent: float = 1.0, offset: float = 2.7) -> None:
        self.words = np.array(words, dtype=object)
        p = 1.0 / (np.arange(len(words)) + offset) ** exponent
        cdf = np.cumsum(p) / p.sum()
        size = 1 << _TABLE_BITS
        self.table = np.searchsorted(cdf, (np.arange(size) + 0.5) / size).astype(np.int32)

    def draw(self, rng: Rng, k: int) -> list[str]:
        return self.words[self.draw_index(rng, k)].tolist()

    def draw_index(self, rng: Rng, k: int) -> np.ndarray:
        return self.table[rng.uniform32(k) >> np.uint32(32 - _TABLE_BITS)]


def _pseudo_words(
    r: random.Random,
    count: int,
    taken: set[str],
    suffixes: tuple[str, ...] = ("",),
    syllables: tuple[int, int] = (1, 3),
) -> list[str]:
    out: list[str] = []
    while len(out) < count:
        word = (
            "".join(
                r.choice(L.EN_ONSETS) + r.choice(L.EN_NUCLEI) for _ in range(r.randint(*syllables))
            )
            + r.choice(L.EN_CODAS)
            + r.choice(suffixes)
        )
        if word not in taken:
            taken.add(word)
            out.append(word)
    return out


def _han_words(
    r: random.Random, chars: str, count: int, taken: set[str], length: tuple[int, int]
) -> list[str]:
    out: list[str] = []
    while len(out) < count:
        word = "".join(r.choice(chars) for _ in range(r.randint(*length)))
        if word not in taken:
            taken.add(word)
            out.append(word)
    return out


@dataclass(frozen=True)
class Vocabulary:
    """All word classes. Real words hold the top ranks; invented ones make the long tail."""

    en_nouns: Lexeme
    en_verbs: Lexeme
    en_adjectives: Lexeme
    en_last_names: Lexeme
    en_brands: Lexeme
    zh_nouns: Lexeme
    zh_verbs: Lexeme
    zh_adjectives: Lexeme
    zh_given: Lexeme
    zh_brands: Lexeme
    en_topics: np.ndarray  # (topics, 150) noun ranks favoured by each topic
    zh_topics: np.ndarray
    en_companies: tuple[str, ...]  # fixed pools for templated reports
    zh_companies: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """Build the vocabulary (deterministic, independent of the corpus seed; ~0.5 s)."""
    r = random.Random(20240508)
    taken = set(L.EN_NOUNS) | set(L.EN_VERBS) | set(L.EN_ADJECTIVES)

    def ranked(real: tuple[str, ...], tail: list[str]) -> list[str]:
        head = list(real)
        r.shuffle(head)
        return head + tail

    en_nouns = ranked(
        L.EN_NOUNS, _pseudo_words(r, 14000, taken, L.EN_SUFFIXES_NOUN + ("",) * 6, (1, 2))
    )
    en_verbs = ranked(
        L.EN_VERBS, [w + "ed" for w in _pseudo_words(r, 2500, taken, syllables=(1, 2))]
    )
    en_adjectives = ranked(
        L.EN_ADJECTIVES, _pseudo_words(r, 3500, taken, L.EN_SUFFIXES_ADJ, (1, 2))
    )
    en_last = ranked(
        L.EN_LAST_NAMES, [w.capitalize() for w in _pseudo_words(r, 6000, taken, syllables=(1, 2))]
    )
    en_brands = [
        w.capitalize() for w in _pseudo_words(r, 6000, taken, ("", "a", "o", "ix", "ex", "on"))
    ]

    chars = "".join(dict.fromkeys(L.ZH_COMMON_CHARS))
    zh_taken = set(L.ZH_NOUNS) | set(L.ZH_VERBS) | set(L.ZH_ADJECTIVES)
    zh_nouns = ranked(L.ZH_NOUNS, _han_words(r, chars, 16000, zh_taken, (2, 3)))
    zh_verbs = ranked(L.ZH_VERBS, _han_words(r, chars, 2500, zh_taken, (2, 2)))
    zh_adjectives = ranked(L.ZH_ADJECTIVES, _han_words(r, chars, 1200, zh_taken, (2, 2)))
    zh_given = _han_words(r, L.ZH_GIVEN_CHARS + chars[:300], 5000, set(), (1, 2))
    zh_brands = _han_words(r, chars, 6000, zh_taken, (2, 2))

    # topic words come mostly from the real head of the vocabulary
    en_topics = np.array([r.sample(range(1500), 150) for _ in range(48)], dtype=np.int32)
    zh_topics = np.array([r.sample(range(1500), 150) for _ in range(48)], dtype=np.int32)
    en_companies = tuple(f"{b} {r.choice(L.EN_ORG_KINDS)}" for b in en_brands[-300:])
    zh_companies = tuple(
        b + r.choice(("股份", "科技", "集团", "控股", "电子", "医药", "能源", "银行"))
        for b in zh_brands[-300:]
    )
    return Vocabulary(
        # exponents > 1 keep invented words to ~15 % of running text (at 1.0 they were a third)
        Lexeme(en_nouns, 1.15),
        Lexeme(en_verbs, 1.2),
        Lexeme(en_adjectives, 1.2),
        Lexeme(en_last, 0.9),
        Lexeme(en_brands[:-300], 0.8),
        Lexeme(zh_nouns, 1.1),
        Lexeme(zh_verbs, 1.2),
        Lexeme(zh_adjectives, 1.2),
        Lexeme(zh_given, 0.7),
        Lexeme(zh_brands[:-300], 0.8),
        en_topics,
        zh_topics,
        en_companies,
        zh_companies,
    )


class _Pool(list):
    """Words drawn in bulk with numpy and handed out by `pop` (~50 ns; a Python-level draw per word
    made the generator several times slower). Writers top pools up once per sentence."""

    def __init__(
        self,
        lexeme: Lexeme,
        rng: Rng,
        topic: np.ndarray | None = None,
        share: float = 0.0,
        batch: int = 64,
    ) -> None:
        super().__init__()
        self._lexeme, self._rng, self._topic, self._share, self._batch = (
            lexeme,
            rng,
            topic,
            share,
            batch,
        )

    def refill(self, k: int | None = None) -> None:
        lexeme, k = self._lexeme, k or self._batch
        idx = lexeme.draw_index(self._rng, k)
        if self._topic is not None:
            u = self._rng.uniform32(k)
            favoured = u < np.uint32(self._share * 2**32)
            idx[favoured] = self._topic[u[favoured] % np.uint32(len(self._topic))]
        self.extend(lexeme.words[idx].tolist())


class _Writer:
    """Shared plumbing: word pools, fast choice and randint on the story's Python generator."""

    def __init__(
        self,
        rng: Rng,
        entities: Entities,
        quotes: tuple[str, str],
        nouns: Lexeme,
        verbs: Lexeme,
        adjectives: Lexeme,
        topics: np.ndarray,
    ) -> None:
        self.r, self.e, self.quotes = rng.py, entities, quotes
        self.rnd = rnd = rng.py.random
        self._pools = (
            _Pool(nouns, rng, topics[entities.topic], 0.3),
            _Pool(verbs, rng),
            _Pool(adjectives, rng),
        )
        self.noun, self.verb, self.adj = (self._drawn(p.pop) for p in self._pools)
        self._phrases: list[str] = []
        # a noun phrase; built in batches by `_noun_phrases`
        self.np_ = self._drawn(self._phrases.pop)
        self.pick = lambda seq: seq[int(rnd() * len(seq))]
        self.randint = lambda a, b: a + int(rnd() * (b - a + 1))

    def _noun_phrases(self, k: int) -> list[str]:
        raise NotImplementedError

    def _drawn(self, pop: Callable[[], str]) -> Callable[[], str]:
        """``pop``, topping the pools up first if one ran dry: `top_up` before each
        paragraph is enough for a paragraph, but an edited version's update can be
        longer (a 1M corpus ran out). Where it is not needed nothing is drawn, so a
        corpus that generated before is the same text after."""
        def draw() -> str:
            try:
                return pop()
            except IndexError:
                self.top_up()
                return pop()
        return draw

    def top_up(self) -> None:
        """Called once per paragraph: a paragraph (up to 3 sentences) takes < 48 words of a class
        and < 24 noun phrases."""
        if len(self._phrases) < 24:
            self._ensure(110)  # 48 phrases take at most 96 nouns
            self._phrases.extend(self._noun_phrases(48))
        self._ensure(48)

    def _ensure(self, count: int) -> None:
        for pool in self._pools:
            if len(pool) < count:
                pool.refill(count + 64)

    def reserve(self, size: int, rates: tuple[float, float, float]) -> None:
        """Draw the words a text of `size` will need in one go (a numpy round trip is ~25 µs)."""
        for pool, rate in zip(self._pools, rates, strict=True):
            pool.refill(int(size * rate) + 48)


@dataclass
class Entities:
    """Who and where a story is about; siblings (same topic, different event) share these."""

    people: list[tuple[str, str, str]]  # (full name, short reference, title)
    orgs: list[str]
    city: str  # dateline city (EN upper case, ZH in Han characters)
    country: str
    places: list[str]
    topic: int


# ---------------------------------------------------------------------------------- English ---


class EnglishWriter(_Writer):
    """Sentences from a small news grammar over Zipf-drawn words and the story's entities."""

    def __init__(
        self, rng: Rng, entities: Entities, quotes: tuple[str, str] = ("\u201c", "\u201d")
    ) -> None:
        v = vocabulary()
        super().__init__(
            rng, entities, quotes, v.en_nouns, v.en_verbs, v.en_adjectives, v.en_topics
        )

    @staticmethod
    def entities(rng: Rng, topic: int) -> Entities:
        v, r = vocabulary(), rng.py
        last = v.en_last_names.draw(rng, 4)
        people = []
        for name in last[: r.randint(2, 4)]:
            first = r.choice(L.EN_FIRST_NAMES)
            people.append((f"{first} {name}", name, r.choice(L.EN_TITLES)))
        brands = v.en_brands.draw(rng, 3)
        orgs = [f"{b} {r.choice(L.EN_ORG_KINDS)}" for b in brands[: r.randint(1, 2)]]
        city, country = r.choice(L.EN_CITIES)
        orgs.append(f"{country}'s {r.choice(L.EN_AGENCY_KINDS)}")
        places = [c.title() for c, _ in r.sample(L.EN_CITIES, 2)]
        return Entities(people, orgs, city, country, places, topic)

    def _noun_phrases(self, k: int) -> list[str]:
        """`the port`, `its coastal ports`, `the fund of the digital sector`, built in one loop
        (three times faster than a method call per phrase)."""
        rnd, noun, adj, dets = self.rnd, self.noun, self.adj, _EN_DETS
        out = []
        for _ in range(k):
            x, y = rnd(), rnd()
            det = "the" if x < 0.7 else dets[int(y * 8191) % len(dets)]
            n = _plural(noun()) if y < 0.25 else noun()
            out.append(
                f"{det} {n}"
                if x < 0.5
                else f"{det} {adj()} {n}"
                if x < 0.85
                else f"{det} {n} of the {adj()} {noun()}"
            )
        return out

    def number(self) -> str:
        x = self.rnd()
        if x < 0.3:
            return f"{self.randint(1, 99)}.{self.randint(0, 9)} percent"
        if x < 0.55:
            amount = f"{self.randint(1, 999)}.{self.randint(1, 9)}"
            return f"{amount} {self.pick(_EN_LARGE)} {self.pick(_EN_CURRENCIES)}"
        if x < 0.8:
            return f"{self.randint(12, 98000):,} {_plural(self.noun())}"
        return f"{self.randint(2, 40)} {self.pick(_EN_UNITS)}"

    def pp(self) -> str:
        x = self.rnd()
        if x < 0.6:
            return f"{self.pick(L.EN_PREPOSITIONS)} {self.np_()}"
        if x < 0.8:
            return f"in {self.pick(self.e.places)}"
        return f"by {self.number()}"

    def clause(self) -> str:
        rnd = self.rnd
        adv = f"{_EN_ADVS[int(rnd() * len(_EN_ADVS))]} " if rnd() < 0.2 else ""
        core = f"{self.np_()} {adv}{self.verb()} {self.np_()}"
        x = rnd()
        # news sentences run ~20 words; one or two prepositional phrases get there
        if x < 0.3:
            return core
        if x < 0.7:
            return f"{core} {self.pp()}"
        return f"{core} {self.pp()} {self.pp()}"

    def who(self) -> str:
        full, short, title = self.pick(self.e.people)
        x = self.rnd()
        if x < 0.55:
            return short
        if x < 0.85:
            return f"{full}, {title} of {self.pick(self.e.orgs)},"
        return f"the {title}"

    def sentence(self) -> str:
        x = self.rnd()
        q0, q1 = self.quotes
        if x < 0.22:
            s = f"{self.clause()}."
        elif x < 0.38:
            s = f"{self.clause()}, {self.who().rstrip(',')} said."
        elif x < 0.5:
            s = f"{self.who()} said on {self.pick(L.EN_WEEKDAYS)} that {self.clause()}."
        elif x < 0.62:
            quote = f"{_cap(self.clause())}, and {self.clause()}"
            s = f"{q0}{quote},{q1} {self.who().rstrip(',')} said."
        elif x < 0.74:
            fact = f"{self.np_()} {self.verb()} {self.number()} {self.pp()}"
            s = f"{fact}, according to {self.pick(self.e.orgs)}."
        elif x < 0.84:
            year, org = self.randint(1995, 2023), self.pick(self.e.orgs)
            s = f"In {year}, {org} {self.verb()} {self.np_()} {self.pp()}."
        elif x < 0.93:
            full, _, title = self.pick(self.e.people)
            s = f"{full}, who {self.verb()} {self.np_()}, {self.verb()} {self.np_()} {self.pp()}."
        else:
            s = f"{self.clause()} while {self.clause()}."
        return _cap(s)

    def paragraphs(self, words: int) -> list[list[str]]:
        """Sentences grouped into paragraphs of 1-3 sentences, about `words` words in all."""
        self.reserve(words, (0.22, 0.1, 0.09))
        out: list[list[str]] = []
        count = 0
        while count < words:
            self.top_up()
            para = [self.sentence() for _ in range(self.pick((1, 2, 2, 3)))]
            count += sum(s.count(" ") + 1 for s in para)
            out.append(para)
        return out

    def headline(self) -> str:
        self.top_up()
        x = self.rnd()
        if x < 0.4:
            org, action = self.pick(self.e.orgs), f"{self.verb()} {self.adj()} {self.noun()}"
            h = f"{org} {action} {self.pick(L.EN_PREPOSITIONS)} {self.noun()}"
        elif x < 0.7:
            h = f"{self.e.country} {self.noun()} {self.verb()} amid {self.adj()} {self.noun()}"
        else:
            h = f"{self.pick(self.e.people)[1]} says {self.noun()} will {self.noun()} {self.noun()}"
        return _cap(h)

    def local(self, town: str, words: int) -> list[list[str]]:
        """Local text a syndicating site wraps around a wire story."""
        self.top_up()
        opener = [
            f"Residents of {town} {self.verb()} {self.np_()} on {self.pick(L.EN_WEEKDAYS)}.",
            f"Local officials in {town} {self.verb()} {self.np_()} {self.pp()}.",
        ]
        paras = self.paragraphs(words)
        paras[0].insert(0, self.pick(opener))
        return paras


_EN_DETS = L.EN_DETERMINERS
_EN_LARGE = ("million", "billion")
_EN_CURRENCIES = ("dollars", "euros", "yuan", "yen")
_EN_UNITS = ("days", "weeks", "months", "years", "kilometers", "tons")
_EN_ADVS = L.EN_ADVERBS


def _plural(noun: str) -> str:
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "o", "u"):
        return noun[:-1] + "ies"
    return noun + "s"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


# ---------------------------------------------------------------------------------- Chinese ---


class ChineseWriter(_Writer):
    """The Chinese counterpart of `EnglishWriter`: no spaces, full-width punctuation."""

    def __init__(
        self, rng: Rng, entities: Entities, quotes: tuple[str, str] = ("\u201c", "\u201d")
    ) -> None:
        v = vocabulary()
        super().__init__(
            rng, entities, quotes, v.zh_nouns, v.zh_verbs, v.zh_adjectives, v.zh_topics
        )

    @staticmethod
    def entities(rng: Rng, topic: int) -> Entities:
        v, r = vocabulary(), rng.py
        given = v.zh_given.draw(rng, 4)
        people = []
        for g in given[: r.randint(2, 4)]:
            name = r.choice(L.ZH_SURNAMES) + g
            people.append((name, name, r.choice(L.ZH_TITLES)))
        brands = v.zh_brands.draw(rng, 2)
        orgs = [b + r.choice(L.ZH_ORG_KINDS) for b in brands[: r.randint(1, 2)]]
        orgs.append(r.choice(L.ZH_AGENCIES))
        foreign = r.random() < 0.25
        city = r.choice(L.ZH_FOREIGN_CITIES if foreign else L.ZH_CITIES)
        places = r.sample(L.ZH_CITIES, 2)
        return Entities(people, orgs, city, "", places, topic)

    def _noun_phrases(self, k: int) -> list[str]:
        rnd, noun, adj = self.rnd, self.noun, self.adj
        out = []
        for _ in range(k):
            x = rnd()
            out.append(
                noun()
                if x < 0.45
                else adj() + noun()
                if x < 0.75
                else adj() + "的" + noun()
                if x < 0.9
                else noun() + noun()
            )
        return out

    def number(self) -> str:
        return f"{self.randint(2, 9800)}{self.pick(L.ZH_MEASURES)}"

    def clause(self) -> str:
        adv = self.pick(L.ZH_ADVERBS) if self.rnd() < 0.3 else ""
        if self.rnd() < 0.3:
            return f"{self.np_()}{adv}{self.verb()}{self.np_()}，{self.verb()}{self.np_()}"
        return f"{self.np_()}{adv}{self.verb()}{self.np_()}"

    def who(self) -> str:
        name, _, title = self.pick(self.e.people)
        return f"{self.pick(self.e.orgs)}{title}{name}" if self.rnd() < 0.4 else name

    def sentence(self) -> str:
        x = self.rnd()
        q0, q1 = self.quotes
        if x < 0.2:
            return f"{self.clause()}，{self.clause()}。"
        if x < 0.38:
            return f"{self.who()}表示，{self.clause()}，{self.verb()}{self.np_()}。"
        if x < 0.52:
            return f"{self.pick(L.ZH_CONNECTORS)}，{self.pick(self.e.places)}{self.clause()}。"
        if x < 0.64:
            return f"{q0}{self.clause()}，{self.clause()}。{q1}{self.who()}说。"
        if x < 0.78:
            trend = self.pick(("增长", "下降"))
            when = f"{self.randint(2015, 2024)}年{self.randint(1, 12)}月"
            what = f"{self.pick(self.e.orgs)}{self.verb()}{self.noun()}{self.number()}"
            change = f"{self.randint(1, 60)}.{self.randint(0, 9)}%"
            return f"{when}，{what}，同比{trend}{change}。"
        if x < 0.9:
            first = f"{self.who()}{self.verb()}{self.np_()}"
            return f"{first}，{self.verb()}{self.np_()}，{self.clause()}。"
        where = self.pick(self.e.places)
        return f"在{where}，{self.clause()}，{self.np_()}{self.verb()}{self.number()}。"

    def paragraphs(self, chars: int) -> list[list[str]]:
        self.reserve(chars, (0.15, 0.085, 0.06))
        out: list[list[str]] = []
        count = 0
        while count < chars:
            self.top_up()
            para = [self.sentence() for _ in range(self.pick((1, 2, 2, 3)))]
            count += sum(len(s) for s in para)
            out.append(para)
        return out

    def headline(self) -> str:
        self.top_up()
        x = self.rnd()
        if x < 0.5:
            return f"{self.pick(self.e.places)}{self.verb()}{self.adj()}{self.noun()}"
        return f"{self.pick(self.e.orgs)}：{self.clause()}"

    def local(self, town: str, chars: int) -> list[list[str]]:
        paras = self.paragraphs(chars)
        self.top_up()
        paras[0].insert(0, f"记者从{town}获悉，{self.clause()}。")
        return paras
