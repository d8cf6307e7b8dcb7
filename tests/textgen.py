"""Synthetic news-like texts for tests: stories, copies with controlled edits.

Words are invented (syllable strings) so texts share shingles only where a
test makes them share; everything is seeded.
"""

from __future__ import annotations

import random

_SYLLABLES = ["ka", "lo", "mi", "ter", "san", "vo", "ri", "den", "ul", "pra", "nes", "bo", "cha",
              "fi", "gor", "hal", "jun", "ket", "lim", "mor", "nu", "pel", "qui", "ros", "tav"]


def vocabulary(size: int = 6000, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def story(rng: random.Random, vocab: list[str], words: int = 400) -> str:
    """A text of ``words`` words in sentences and paragraphs."""
    out, sentence = [], []
    for i in range(words):
        w = vocab[min(int(rng.paretovariate(0.9)) - 1, len(vocab) - 1)] if rng.random() < 0.3 \
            else rng.choice(vocab)
        sentence.append(w.capitalize() if not sentence else w)
        if len(sentence) >= rng.randint(8, 20):
            out.append(" ".join(sentence) + ".")
            sentence = []
        if out and len(out) % 4 == 0 and not sentence and i % 3 == 0:
            out.append("\n\n")
    if sentence:
        out.append(" ".join(sentence) + ".")
    return " ".join(out).replace(" \n\n ", "\n\n")


def edit(rng: random.Random, vocab: list[str], text: str, rate: float) -> str:
    """Replace a share ``rate`` of the words with random others."""
    words = text.split(" ")
    for i in range(len(words)):
        if rng.random() < rate:
            words[i] = rng.choice(vocab)
    return " ".join(words)


def chinese_story(rng: random.Random, chars: int = 600) -> str:
    """A text of common Han characters in sentences."""
    pool = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    out = []
    for i in range(chars):
        out.append(rng.choice(pool))
        if i % rng.randint(15, 30) == 0 and i:
            out.append("，" if rng.random() < 0.6 else "。")
    return "".join(out) + "。"


def chinese_edit(rng: random.Random, text: str, rate: float) -> str:
    pool = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    return "".join(rng.choice(pool) if ("\u4e00" <= ch <= "\u9fff" and rng.random() < rate) else ch
                   for ch in text)


def wire_story(rng: random.Random, vocab: list[str], paragraphs: int = 10) -> list[str]:
    """A wire story as a list of paragraphs of about 60 words each."""
    return [story(rng, vocab, rng.randint(50, 70)).replace("\n\n", " ") for _ in range(paragraphs)]


def edited_version(rng: random.Random, vocab: list[str], paragraphs: list[str]) -> list[str]:
    """An outlet's edit of a wire story: the lead's first sentence rewritten, two later
    paragraphs cut, an update of about their length merged in between two others, and
    one sentence of another paragraph rewritten."""
    out = list(paragraphs)
    lead = out[0].split(". ")
    out[0] = ". ".join([story(rng, vocab, 14).rstrip(".")] + lead[1:])
    for cut in sorted(rng.sample(range(2, len(out)), 2), reverse=True):
        del out[cut]
    update = " ".join(story(rng, vocab, 60).replace("\n\n", " ") for _ in range(2))
    out.insert(rng.randrange(1, len(out)), update)
    k = rng.randrange(1, len(out))
    sentences = out[k].split(". ")
    sentences[len(sentences) // 2] = story(rng, vocab, 12).rstrip(".")
    out[k] = ". ".join(sentences)
    return out


def short_edited_pair(seed: int, vocab: list[str]) -> tuple[str, str]:
    """A short wire item (~120 words) and an outlet's edit of it: the lead (the first
    two sentences) rewritten and one sentence added in the middle (issue 15)."""
    rng = random.Random(seed)
    sentences: list[str] = []
    while sum(len(s.split()) for s in sentences) < 120:
        sentences.append(story(rng, vocab, rng.randint(12, 18)).rstrip("."))
    copy = [story(rng, vocab, 22).rstrip(".")] + sentences[2:]
    copy.insert(len(copy) // 2 + 1, story(rng, vocab, 14).rstrip("."))
    return ". ".join(sentences) + ".", ". ".join(copy) + "."
