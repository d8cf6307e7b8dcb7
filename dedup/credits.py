"""Credit lines and datelines: which wire a text credits, and the text without them.

``detect(text, wires)`` finds datelines, source lines, bylines and trailers by place and
form. Fingerprinting gets the body without them (Xinhua items must not all share dateline
shingles); attribution gets the credits, plus mentions ("据新华社报道") as weaker evidence.

The rules run in the core (src/credits.rs, src/credit_marks.rs), with the registry's
tables handed over once (``WireRegistry.core``); ``Preparer.run`` reads a whole chunk's
credits there on its threads. What they find:

* **Datelines**, in the first three non-empty lines (and first 600 characters):
  ``BEIJING, May 8 (Xinhua) --``, ``(Reuters) -``, ``ڈھاکہ ۔ یکم دسمبر (اے پی پی)``,
  ``新华社北京5月8日电（记者 张三）``, a publisher's own ``SALVADOR, Feb 26 -``,
  ``本报讯（记者 …）``, ``لاہور۔۔۔۔۔``. A code in the parenthesis names the wire (known
  codes first; an unknown agency-like code such as ``(AKI)`` still makes a dateline).
* **Bylines** there too: ``By Jane Doe``, ``记者 张三``.
* **Source lines and trailers** in the first or last 600 characters: ``Source: Xinhua``,
  ``来源：新华社``, ``Editor: …``, ``Reporting by …; Editing by …`` (Reuters style),
  ``编辑：…``, copyright lines, ``（完）``, ``原标题：…`` (a reprint marker), wire
  trailers ("Reuters contributed to this report.", "(With files from AFP)": every name
  in them must be a wire) in the last four lines, a closing ``(Xinhua)`` or sign-off
  line (``Reuter``).
* **Links**: a line in the last 600 characters pointing to the full story elsewhere
  ("Read the full story at https://www.reuters.com/…", "Read more at …", "Originally
  published at Reuters", "阅读全文：…"; a hard wrap may put the URL on the next line, a
  wrap by width its path across lines). It credits the wire whose domain hosts the URL,
  or whom the site's name names; a link to another site credits nothing but is
  stripped all the same (a footer, not the story).
* **Mentions**: a wire's name with a reporting phrase ("according to Reuters",
  "AP reported", "据新华社报道"), outside the credits; left in the body.

Photo credits (``(Xinhua/Li Ming)``, ``图片来源：新华社``) are neither credits nor stripped.
"""

from __future__ import annotations

from .records import Credit, CreditKind, Credits, Mention  # noqa: F401 - re-exported
from .wires import WireRegistry


def detect(text: str, wires: WireRegistry, *, mentions: bool = True) -> Credits:
    """Find the credits of ``text``, strip them, and list mentions of wires.

    Args:
        text: raw article text; curly quotes, full-width brackets and colons,
            NBSP and ideographic spaces are fine, and no normalization is needed.
        wires: the wire registry.
        mentions: also scan the whole body for mentions. This pass takes most of
            the time on a long text; without it only the head and tail are read.

    Returns:
        The `Credits`. ``body`` is ``text`` with credit spans removed (and the
        whitespace around them); it never contains a character ``text`` lacks.
        Offsets are character offsets into ``text``.

    Example:
        >>> found = detect("BEIJING, May 8 (Xinhua) -- Rain fell.", WireRegistry.default())
        >>> found.wires, found.body
        (('Xinhua',), 'Rain fell.')
    """
    body, credits, listed = wires.core.detect(text, mentions)
    return Credits(body, tuple(Credit(*row) for row in credits),
                   tuple(Mention(*row) for row in listed))
