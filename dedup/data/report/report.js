"use strict";
// dedup report: renders the clusters embedded as JSON, one page at a time, and a cluster's
// side-by-side view only when it is opened. Every string from the data goes in via textContent.
(() => {
  performance.mark("dedup-report-start");
  const data = JSON.parse(document.getElementById("report-data").textContent);
  performance.mark("dedup-report-parsed");
  const arts = data.articles;
  let texts = null;  // parsed once the parser has read them (they come last in the page)
  const waiting = new Set();  // open side-by-side views to redraw when the texts arrive
  const PAGE = 25;
  const state = { sort: "size", desc: true, query: "", page: 0, view: [] };
  const list = document.getElementById("clusters");
  const pager = document.getElementById("pager");
  const count = document.getElementById("count");

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function auto(e, lang) {  // direction from the content itself; a language hint for fonts
    e.dir = "auto";
    if (lang) e.lang = lang;
    return e;
  }
  function relBadge(rel) {
    const b = el("span", "rel", rel || "copy");
    b.dataset.rel = rel || "unknown";
    return b;
  }
  function pct(x) { return x === null || x === undefined ? "–" : Math.round(x * 100) + "%"; }
  function duration(s) {
    const a = Math.abs(s), sign = s < 0 ? "−" : "+";
    if (a < 90) return sign + Math.round(a) + " s";
    if (a < 5400) return sign + Math.round(a / 60) + " min";
    if (a < 172800) return sign + (a / 3600).toFixed(1) + " h";
    return sign + (a / 86400).toFixed(1) + " d";
  }
  function when(iso) {
    if (!iso) return "undated";
    const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)?$/.exec(iso);
    return m ? m[1] + " " + m[2] + (m[3] === "Z" || !m[3] ? " UTC" : " " + m[3]) : iso;
  }
  function safeUrl(url) { return typeof url === "string" && /^https?:\/\//i.test(url); }
  function firstDelay(c) {
    const d = c.copies.map((x) => x.delay).filter((x) => x !== null && x !== undefined);
    return d.length ? Math.min(...d) : Infinity;
  }

  const sorters = {
    size: (a, b) => b.copies.length - a.copies.length || (a.id ?? 0) - (b.id ?? 0),
    origin: (a, b) => a.origin.localeCompare(b.origin) || b.copies.length - a.copies.length
      || (a.id ?? 0) - (b.id ?? 0),
    delay: (a, b) => firstDelay(a) - firstDelay(b) || (a.id ?? 0) - (b.id ?? 0),
    cluster: (a, b) => (a.id ?? 0) - (b.id ?? 0),
  };
  const naturalDesc = { size: true, origin: false, delay: false, cluster: false };

  function haystack(c) {
    if (c._hay === undefined) {
      const parts = [c.origin];
      for (const i of [c.original, ...c.copies.map((x) => x.article)]) {
        const a = arts[i];
        parts.push(a.id, a.source || "", a.title || "");
      }
      c._hay = parts.join("\n").toLocaleLowerCase();
    }
    return c._hay;
  }

  function refresh(keepPage) {
    const q = state.query.trim().toLocaleLowerCase();
    let view = q ? data.clusters.filter((c) => haystack(c).includes(q)) : data.clusters.slice();
    const cmp = sorters[state.sort];
    view.sort(state.desc === naturalDesc[state.sort] ? cmp : (a, b) => cmp(b, a));
    state.view = view;
    if (!keepPage) state.page = 0;
    renderPage();
  }

  function renderPage() {
    const pages = Math.max(1, Math.ceil(state.view.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    const start = state.page * PAGE;
    const frag = document.createDocumentFragment();
    state.view.slice(start, start + PAGE).forEach((c, i) => {
      frag.append(clusterCard(c, state.page === 0 && i === 0 && !state.query));
    });
    if (!state.view.length) {
      frag.append(el("p", "empty", data.clusters.length ? "No cluster matches the filter."
        : "No clusters with copies in these results."));
    }
    list.replaceChildren(frag);
    count.textContent = state.view.length === data.clusters.length
      ? data.clusters.length + " clusters"
      : state.view.length + " of " + data.clusters.length + " clusters";
    pager.replaceChildren();
    if (pages > 1) {
      const prev = el("button", null, "‹ Previous"), next = el("button", null, "Next ›");
      prev.type = next.type = "button";
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
      prev.onclick = () => { state.page--; renderPage(); list.scrollIntoView(); };
      next.onclick = () => { state.page++; renderPage(); list.scrollIntoView(); };
      pager.append(prev, el("span", null, "page " + (state.page + 1) + " of " + pages), next);
    }
  }

  function clusterCard(c, open) {
    const card = el("section", "cluster");
    card.dataset.cluster = c.id ?? "";
    card.dataset.origin = c.origin;
    card.id = "cluster-" + (c.id ?? "");
    const orig = arts[c.original];
    const head = el("button", "cluster-head");
    head.type = "button";
    head.setAttribute("aria-expanded", "false");
    const rels = el("span", "crels");
    const byRel = {};
    for (const x of c.copies) byRel[x.relation || "copy"] = (byRel[x.relation || "copy"] || 0) + 1;
    for (const [r, n] of Object.entries(byRel)) {
      const b = relBadge(r);
      b.textContent = r + (n > 1 ? " ×" + n : "");
      rels.append(b);
    }
    head.append(el("span", "cid", "#" + (c.id ?? "?")), auto(el("span", "origin", c.origin)),
      auto(el("span", "ctitle", orig.title || orig.id), orig.lang),
      el("span", "csize", (c.copies.length + 1) + " articles"), rels);
    const body = el("div", "cluster-body");
    body.hidden = true;
    head.onclick = () => toggle(card, c, head, body);
    card.append(head, body);
    if (open) toggle(card, c, head, body);
    return card;
  }

  function toggle(card, c, head, body) {
    const opening = body.hidden;
    if (opening && !body.firstChild) renderCluster(c, body);
    body.hidden = !opening;
    card.classList.toggle("open", opening);
    head.setAttribute("aria-expanded", String(opening));
  }

  function renderCluster(c, body) {
    const tabs = el("div", "tabs");
    tabs.setAttribute("role", "tablist");
    const pair = el("div", "pair");
    let current = 0;
    const show = (k) => {
      current = k;
      tabs.querySelectorAll(".tab").forEach((t, j) => t.setAttribute("aria-selected", String(j === k)));
      const x = c.copies[k];
      pair.replaceChildren(docView(arts[c.original], null, c, x), docView(arts[x.article], x, c, x));
    };
    c.copies.forEach((x, k) => {
      const a = arts[x.article];
      const t = el("button", "tab");
      t.type = "button";
      t.setAttribute("role", "tab");
      t.append(relBadge(x.relation), auto(el("span", "tsrc", a.source || a.id)),
        el("span", "n", pct(x.similarity)));
      if (x.delay !== null && x.delay !== undefined) {
        t.append(el("span", "delay" + (x.delay < 0 ? " before" : ""), duration(x.delay)));
      }
      t.onclick = () => show(k);
      tabs.append(t);
    });
    body.append(tabs, pair);
    show(0);
    if (!texts) waiting.add(() => show(current));
  }

  function docView(a, x, c, shown) {
    const d = el("article", "doc " + (x ? "doc-copy" : "doc-original"));
    const head = el("div", "doc-head");
    const badge = relBadge(x ? x.relation : "original");
    if (!x) badge.textContent = "original";
    head.append(badge, auto(el("span", "who", a.source || "unknown source")),
      el("time", null, when(a.published)));
    if (!x && c.origin !== a.source) head.append(auto(el("span", null, "origin: " + c.origin)));
    d.append(head);
    if (a.title) d.append(auto(el("h3", null, a.title), a.lang));
    const idLine = el("div");
    idLine.append(el("bdi", "aid", a.id));
    if (a.url) {
      idLine.append(" · ");
      const link = safeUrl(a.url) ? el("a", "url", a.url) : el("span", "url", a.url);
      if (link.tagName === "A") { link.href = a.url; link.rel = "noopener noreferrer"; link.target = "_blank"; }
      idLine.append(link);
    }
    d.append(idLine);
    if (x) {
      const m = el("dl", "metrics");
      const add = (k, v, cls) => {
        const w = el("div", cls);
        w.append(el("dt", null, k), el("dd", null, v));
        m.append(w);
      };
      add("similarity", pct(x.similarity));
      add("containment", pct(x.containment));
      if (x.delay !== null && x.delay !== undefined) {
        add("delay", duration(x.delay) + (x.delay < 0 ? " (before the original)" : ""),
          x.delay < 0 ? "delay before" : "delay");
      }
      const t = textOf(a);
      if (x.spans_copy && t) add("shared", pct(covered(x.spans_copy) / t.length));
      d.append(m);
    }
    if (a.text_index !== undefined && !texts) {
      d.append(el("p", "notext", "loading the text…"));
    } else if (a.text_index !== undefined) {
      d.append(highlighted(textOf(a), x ? shown.spans_copy : shown.spans_original, a.lang));
    } else {
      d.append(el("p", "notext", "text not in the results (dedup batch --with-text)"));
    }
    const why = el("ul", "why");
    for (const w of (x ? x.why : c.why)) why.append(auto(el("li", null, w)));
    if (why.firstChild) d.append(why);
    return d;
  }

  function textOf(a) { return texts && a.text_index !== undefined ? texts[a.text_index] : null; }

  function loadTexts() {
    texts = JSON.parse(document.getElementById("report-texts").textContent);
    waiting.forEach((redraw) => redraw());
    waiting.clear();
    document.body.dataset.texts = "1";
    performance.mark("dedup-report-texts");
  }

  function covered(spans) {
    let n = 0;
    for (let i = 0; i < spans.length; i += 2) n += spans[i + 1] - spans[i];
    return n;
  }

  function highlighted(text, spans, lang) {
    const t = auto(el("div", "text"), lang);
    text = text.trimEnd();
    let at = 0;
    spans = spans || [];
    for (let i = 0; i < spans.length && spans[i] < text.length; i += 2) {
      if (spans[i] > at) t.append(text.slice(at, spans[i]));
      // a passage across paragraphs is marked paragraph by paragraph, not the line breaks
      text.slice(spans[i], spans[i + 1]).split(/(\s*\n\s*)/).forEach((part, k) => {
        if (part) t.append(k % 2 ? part : el("mark", null, part));
      });
      at = spans[i + 1];
    }
    if (at < text.length) t.append(text.slice(at));
    return t;
  }

  document.querySelectorAll("button.sort").forEach((b) => {
    b.onclick = () => {
      if (state.sort === b.dataset.sort) state.desc = !state.desc;
      else { state.sort = b.dataset.sort; state.desc = naturalDesc[state.sort]; }
      document.querySelectorAll("button.sort").forEach((o) => o.setAttribute("aria-pressed", String(o === b)));
      refresh(false);
    };
  });
  let typing = 0;
  document.getElementById("filter").addEventListener("input", (ev) => {
    clearTimeout(typing);
    typing = setTimeout(() => { state.query = ev.target.value; refresh(false); }, 150);
  });

  function openFromHash() {
    const m = /^#cluster-(\d+)$/.exec(location.hash);
    if (!m) return;
    const k = state.view.findIndex((c) => String(c.id) === m[1]);
    if (k < 0) return;
    state.page = Math.floor(k / PAGE);
    renderPage();
    const card = document.getElementById("cluster-" + m[1]);
    if (!card.classList.contains("open")) card.querySelector(".cluster-head").click();
    card.scrollIntoView();
  }
  window.addEventListener("hashchange", openFromHash);

  refresh(false);
  openFromHash();
  document.body.dataset.ready = "1";
  performance.mark("dedup-report-rendered");
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", loadTexts);
  else loadTexts();
})();
