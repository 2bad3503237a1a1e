// Citations: the source lists beside a text, the [n] markers in it, and the viewer that shows
// the passage a citation points at (GET /v1/chunks/{id}) with its evidence marked.
"use strict";

const CITED = /\[(\d{1,3})\]/g; // a text's [n] markers, as generation/passages.py reads them

// The document as its user gave it (the API's `document`), else the file name of `source`.
function documentName(c) {
  return c.document || (c.source || "").split(/[\\/]/).pop();
}

// "file · p. 3 · section" (the language's word for page).
function whereLabel(c) {
  const parts = [documentName(c)];
  if (c.page !== null && c.page !== undefined) parts.push(t("page", { page: c.page }));
  if (c.section) parts.push(c.section);
  return parts.join(" · ");
}

// One citation: "[n] file · p. 3 · section"; a click opens the passage when it names a chunk.
function citation(c, evidence = []) {
  const label = (c.n ? `[${c.n}] ` : "") + whereLabel(c);
  const item = el("li", { class: c.cited ? "cite cited" : "cite", title: c.document || c.source });
  if (c.chunk_id) {
    const open = el("button", { type: "button", class: "link" }, label);
    open.addEventListener("click", () => showPassage(c, evidence));
    item.append(open);
  } else {
    item.append(label);
  }
  return item;
}

function citations(list, evidenceOf = () => []) {
  if (!list.length) return el("ul", { class: "cites" }, el("li", { class: "none" }, t("noSources")));
  return el("ul", { class: "cites" }, ...list.map((c) => citation(c, evidenceOf(c))));
}

// A text whose [n] markers are buttons opening citation n's passage (the text reads the same).
function citedText(text, byNumber, evidenceOf = () => []) {
  const out = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(CITED)) {
    const c = byNumber.get(Number(match[1]));
    if (!c || !c.chunk_id) continue;
    out.append(text.slice(last, match.index));
    const ref = el("button", { type: "button", class: "ref", "data-n": match[1] }, match[0]);
    ref.addEventListener("click", () => showPassage(c, evidenceOf(c)));
    out.append(ref);
    last = match.index + match[0].length;
  }
  out.append(text.slice(last));
  return out;
}

// The spans of `text` each evidence string covers: exact first, then with runs of whitespace
// matched loosely (a table row's spacing differs between the fact and the chunk).
function evidenceSpans(text, evidence) {
  const spans = [];
  for (const wanted of new Set(evidence.filter((e) => e && e.trim()))) {
    let at = text.indexOf(wanted);
    let length = wanted.length;
    if (at < 0) {
      const words = wanted.trim().split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      const found = new RegExp(words.join("\\s+")).exec(text);
      if (!found) continue;
      at = found.index;
      length = found[0].length;
    }
    spans.push([at, at + length]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const merged = [];
  for (const span of spans) {
    const previous = merged[merged.length - 1];
    if (previous && span[0] <= previous[1]) previous[1] = Math.max(previous[1], span[1]);
    else merged.push([...span]);
  }
  return merged;
}

function marked(text, spans) {
  const out = document.createDocumentFragment();
  let last = 0;
  for (const [start, end] of spans) {
    out.append(text.slice(last, start), el("mark", {}, text.slice(start, end)));
    last = end;
  }
  out.append(text.slice(last));
  return out;
}

async function showPassage(c, evidence) {
  const dialog = $("passage");
  $("passage-title").textContent = (c.n ? `[${c.n}] ` : "") + documentName(c);
  $("passage-meta").textContent = whereLabel(c);
  $("passage-text").textContent = t("loading");
  $("passage-note").textContent = "";
  if (!dialog.open) dialog.showModal();
  try {
    const chunk = await call("GET", `/v1/chunks/${encodeURIComponent(c.chunk_id)}`);
    $("passage-meta").textContent = whereLabel({ ...chunk.citation, n: c.n });
    const spans = evidenceSpans(chunk.text, evidence);
    $("passage-text").replaceChildren(marked(chunk.text, spans));
    $("passage-note").textContent = spans.length ? t("evidenceMarked", { n: spans.length }) : t("noEvidence");
    const first = $("passage-text").querySelector("mark");
    if (first) first.scrollIntoView({ block: "center" });
  } catch (e) {
    $("passage-text").textContent = e.message;
  }
}
