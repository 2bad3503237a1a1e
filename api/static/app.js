// specrag's page: chat, search and blog generation over the HTTP API.
// Plain DOM, no framework, no build step; every text from the server goes in as text, never HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const STEPS = ["opening", "middle", "ending"];
let apiKey = sessionStorage.getItem("specrag-key") || "";
// The chat session outlives a reload of the tab (like the key): resumeChat shows its turns.
let sessionId = sessionStorage.getItem("specrag-session");

// --- talking to the API ---------------------------------------------------------------------

function headers() {
  const h = { "content-type": "application/json" };
  if (apiKey) h.authorization = `Bearer ${apiKey}`;
  return h;
}

// The API's one error shape is {"error": {"type", "message", "detail"}}; show its message.
async function failure(response) {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body.error && body.error.message) message = `${body.error.message} (${response.status})`;
  } catch (e) {
    // not JSON: the status line says enough
  }
  return Object.assign(new Error(message), { status: response.status });
}

async function call(method, path, body) {
  const init = { method, headers: headers() };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(path, init);
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : response.json();
}

// Server-sent events from a POST (EventSource can only GET): yields {event, data}.
async function* sse(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
    }
  }
}

// --- small DOM helpers ----------------------------------------------------------------------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function showError(id, error) {
  const box = $(id);
  box.textContent = error ? error.message || String(error) : "";
  box.hidden = !error;
}

// Disable the form's button while `work` runs, so a double press does not send twice.
async function busy(form, work) {
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    await work();
  } finally {
    button.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

// One citation: "[n] file · p. 3 · section", the full source path on hover.
function citation(c) {
  const parts = [c.source.split(/[\\/]/).pop()];
  if (c.page !== null && c.page !== undefined) parts.push(`p. ${c.page}`);
  if (c.section) parts.push(c.section);
  const label = (c.n ? `[${c.n}] ` : "") + parts.join(" · ");
  return el("li", { class: c.cited ? "cite cited" : "cite", title: c.source }, label);
}

function citations(list) {
  if (!list.length) return el("ul", { class: "cites" }, el("li", { class: "none" }, "no sources"));
  return el("ul", { class: "cites" }, ...list.map(citation));
}

// --- API key and models ---------------------------------------------------------------------

function useKey(event) {
  event.preventDefault();
  apiKey = $("api-key").value.trim();
  if (apiKey) sessionStorage.setItem("specrag-key", apiKey);
  else sessionStorage.removeItem("specrag-key");
  $("key-status").textContent = apiKey ? "key in use" : "no key";
  loadModels();
}

// Suggestions for the model fields (the chat models this server can use, not those whose key
// is unset); without GET /v1/models they stay free text.
async function loadModels() {
  try {
    const reply = await call("GET", "/v1/models");
    const chat = reply.data.filter((m) => m.type !== "embedding" && m.available !== false);
    $("models").replaceChildren(...chat.map((m) => el("option", { value: m.id })));
  } catch (e) {
    $("models").replaceChildren();
  }
}

// --- chat -----------------------------------------------------------------------------------

function memory() {
  const policy = $("chat-policy").value;
  const limit = parseInt($("chat-limit").value, 10);
  const settings = { policy };
  if (limit > 0) settings[policy === "window" ? "max_turns" : "max_tokens"] = limit;
  return settings;
}

function policyChanged() {
  const byRounds = $("chat-policy").value === "window";
  $("chat-limit-label").textContent = byRounds ? "Max rounds" : "Max tokens";
  $("chat-limit").value = byRounds ? 6 : 2000;
}

function memoryNote(m) {
  if (!m) return "";
  const notes = [`memory ${m.policy}`];
  if (m.tokens) notes.push(`${m.tokens.total}/${m.tokens.budget} tokens`);
  notes.push(`kept turns ${(m.kept_turns || []).join(", ") || "none"}`);
  if (m.dropped_turns && m.dropped_turns.length) notes.push(`dropped ${m.dropped_turns.join(", ")}`);
  if (m.summary) notes.push("older turns summarised");
  return notes.join(" · ");
}

function chatTurn(message, reply) {
  const cost = reply.usage ? ` · $${reply.usage.cost.toFixed(6)}` : "";
  return el(
    "li",
    { class: "turn", "data-turn": reply.turn },
    el(
      "div",
      { class: "exchange" },
      el("p", { class: "you" }, message),
      el("div", { class: "answer" }, reply.answer),
      el("p", { class: "meta" }, [`turn ${reply.turn} · ${reply.model}${cost}`, memoryNote(reply.memory)].filter(Boolean).join(" · ")),
      reply.memory && reply.memory.summary
        ? el("details", { class: "summary" }, el("summary", {}, "Summary of earlier turns"), reply.memory.summary)
        : null,
    ),
    el("aside", { class: "sources" }, el("h4", {}, "Sources"), citations(reply.citations || [])),
  );
}

async function sendChat(event) {
  event.preventDefault();
  const form = event.target;
  const message = $("chat-message").value.trim();
  if (!message) return;
  const body = { message, memory: memory() };
  if (sessionId) body.session_id = sessionId;
  const model = $("chat-model").value.trim();
  if (model) body.model = model;
  showError("chat-error", null);
  await busy(form, async () => {
    try {
      const reply = await call("POST", "/v1/chat", body);
      setSession(reply.session_id);
      $("chat-log").append(chatTurn(message, reply));
      $("chat-message").value = "";
    } catch (e) {
      showError("chat-error", e);
    }
  });
}

// Enter sends, Shift+Enter breaks the line (not while an input method is composing).
function chatKey(event) {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("chat-form").requestSubmit();
  }
}

async function resetChat() {
  showError("chat-error", null);
  if (sessionId) {
    try {
      await call("DELETE", `/v1/sessions/${encodeURIComponent(sessionId)}`);
    } catch (e) {
      if (e.status !== 404) {  // a session already gone is as good as deleted
        showError("chat-error", e);
        return;
      }
    }
  }
  setSession(null);
  $("chat-log").replaceChildren();
}

function setSession(id) {
  sessionId = id;
  if (id) sessionStorage.setItem("specrag-session", id);
  else sessionStorage.removeItem("specrag-session");
  $("chat-session").textContent = id || "none yet";
}

// After a reload: the session's turns as they were answered (GET /v1/sessions/{id}).
async function resumeChat() {
  if (!sessionId) return;
  try {
    const session = await call("GET", `/v1/sessions/${encodeURIComponent(sessionId)}`);
    setSession(session.session_id);
    $("chat-log").replaceChildren(
      ...session.turns.map((t) =>
        chatTurn(t.user, { answer: t.assistant, turn: t.n, model: t.model, usage: t.usage, citations: t.citations }),
      ),
    );
  } catch (e) {
    if (e.status === 404) setSession(null);  // deleted, or another index: start afresh
    else showError("chat-error", e);
  }
}

// --- search ---------------------------------------------------------------------------------

function searchResult(r, rank) {
  const flat = r.text.replace(/\s+/g, " ").trim();
  const text = flat.length > 320 ? `${flat.slice(0, 320)}…` : flat;
  return el(
    "li",
    { class: "result" },
    el("div", { class: "exchange" }, el("p", { class: "passage" }, text),
      el("p", { class: "meta" }, `#${rank + 1} · score ${r.score.toFixed(4)}`)),
    el("aside", { class: "sources" }, el("h4", {}, "Source"), citations([r.citation])),
  );
}

async function search(event) {
  event.preventDefault();
  const body = { query: $("search-query").value.trim(), k: parseInt($("search-k").value, 10) || 5 };
  const fileType = $("search-type").value;
  if (fileType) body.filters = { file_type: fileType };
  showError("search-error", null);
  await busy(event.target, async () => {
    try {
      const reply = await call("POST", "/v1/query", body);
      const items = reply.results.map(searchResult);
      if (!items.length) items.push(el("li", { class: "none" }, "No passage matches."));
      $("search-results").replaceChildren(...items);
    } catch (e) {
      showError("search-error", e);
    }
  });
}

// --- blog -----------------------------------------------------------------------------------

const part = (step) => document.querySelector(`.part[data-step="${step}"]`);
const CITED = /\[(\d{1,3})\]/g;  // a text's [n] markers, as generation/passages.py reads them

function setPart(step, state, text, cites) {
  const node = part(step);
  node.dataset.state = state;
  if (text !== undefined) node.querySelector(".text").textContent = text;
  if (cites !== undefined) node.querySelector(".cites").replaceWith(citations(cites));
}

// A part's figures and their verdicts: "9 figures, all supported", "2 of 9 figures not supported".
function partFigures(step, g) {
  let note = "";
  if (g) {
    const bad = g.checked - g.supported;
    const figures = g.checked === 1 ? "figure" : "figures";
    if (!g.checked) note = "no figures";
    else note = bad ? `${bad} of ${g.checked} ${figures} not supported` : `${g.checked} ${figures}, all supported`;
    if (g.dropped && g.dropped.length) note += `, ${g.dropped.length} sentence(s) dropped`;
  }
  const node = part(step).querySelector(".figures");
  node.textContent = note;
  node.dataset.bad = String(Boolean(g && g.checked > g.supported));
}

// A step finished: show its text and the passages it was given; the next step is running.
function showStep(data) {
  if (data.step === "opening") $("blog-heading").textContent = data.output.title;
  setPart(data.step, "done", data.output.text, data.passages);
  partFigures(data.step, data.grounding);
  const next = STEPS[STEPS.indexOf(data.step) + 1];
  if (next) setPart(next, "running");
}

// The sources a part cites ([n] in its text, marked cited) and those retrieved for it.
function partSources(blog, step) {
  const used = new Set([...blog[step].matchAll(CITED)].map((m) => Number(m[1])));
  return blog.citations
    .filter((c) => used.has(c.n) || c.step === step)
    .map((c) => ({ ...c, cited: used.has(c.n) }));
}

// What an editor checks before trusting the text: every figure's verdict, in words. A figure
// whose sentence was dropped is told with that sentence, not as one still in the text.
function groundingNote(g) {
  if (g.mode === "off") return "Not checked: grounding is off for this request.";
  if (g.verdict === "no_figures") return "No figures: the text states none to check.";
  const key = (f) => `${f.field}:${f.start}:${f.text}`;
  const left = (kind) =>
    g.steps.flatMap((s) => {
      const gone = new Set(s.dropped.flatMap((d) => d.figures.map(key)));
      return s[kind].filter((f) => !gone.has(key(f)));
    });
  const checked = `${g.checked} ${g.checked === 1 ? "figure" : "figures"} checked`;
  let note;
  if (g.verdict === "grounded") {
    note = `Grounded: ${checked}, all supported by the car's facts and sources.`;
  } else {
    note = `Flagged: ${checked}, ${g.supported} supported`;
    const unsupported = left("unsupported");
    const wrongCar = left("wrong_car");
    if (unsupported.length) note += `; not supported: ${unsupported.map((f) => f.text).join(", ")}`;
    if (wrongCar.length) {
      const cars = wrongCar.map((f) => `${f.text} (${f.backing ? f.backing.car : "another car"})`);
      note += `; another car's: ${cars.join(", ")}`;
    }
    note += ".";
  }
  for (const d of g.dropped) note += ` Dropped from the ${d.step}: “${d.sentence}” (${d.reason}).`;
  return note;
}

// Who wrote the text: the car's facts through templates (the model only rewords, figures kept),
// or the model itself.
function writerNote(blog) {
  const car = blog.car ? `the ${blog.car.name}'s` : "the car's";
  if (blog.writer !== "facts") return `Written by ${blog.model} from ${car} facts and passages.`;
  const reworded = blog.polished.length
    ? `Reworded by ${blog.model} (figures kept): ${blog.polished.join(", ")}.`
    : `No part reworded by ${blog.model}.`;
  return `Written from ${car} facts (${blog.facts.length} facts, each cited). ${reworded}`;
}

// The final blog: the texts after the guard, citations marked where the text cites them.
function showBlog(blog) {
  $("blog-heading").textContent = blog.title;
  const g = blog.grounding;
  for (const step of STEPS) {
    setPart(step, "done", blog[step], partSources(blog, step));
    partFigures(step, g.mode === "off" ? null : g.steps.find((s) => s.step === step));
    part(step).querySelector(".polish").textContent = blog.polished.includes(step) ? "reworded" : "";
  }
  $("blog-grounding").textContent = groundingNote(g);
  $("blog-grounding").dataset.verdict = g.mode === "off" ? "off" : g.verdict;
  $("blog-grounding").hidden = false;
  $("blog-writer").textContent = writerNote(blog);
  $("blog-meta").textContent =
    `${blog.model} · ${blog.usage.total_tokens} tokens · $${blog.usage.cost.toFixed(6)}`;
}

async function generate(event) {
  event.preventDefault();
  const body = {
    car: $("blog-car").value.trim(),
    length: parseInt($("blog-length").value, 10) || 600,
    language: $("blog-language").value,
    stream: true,
  };
  for (const field of ["angle", "audience", "model"]) {
    const value = $(`blog-${field}`).value.trim();
    if (value) body[field] = value;
  }
  showError("blog-error", null);
  $("blog-output").hidden = false;
  $("blog-heading").textContent = body.car;
  $("blog-meta").textContent = "";
  $("blog-writer").textContent = "";
  $("blog-grounding").hidden = true;
  delete $("blog-grounding").dataset.verdict;
  STEPS.forEach((step, i) => {
    setPart(step, i ? "pending" : "running", "", []);
    partFigures(step, null);
    part(step).querySelector(".polish").textContent = "";
  });
  await busy(event.target, async () => {
    try {
      const response = await fetch("/v1/generate/blog", {
        method: "POST",
        headers: headers(),
        body: JSON.stringify(body),
      });
      if (!response.ok) throw await failure(response);
      let finished = false;
      for await (const { event: name, data } of sse(response)) {
        if (name === "step") showStep(data);
        else if (name === "done") {
          showBlog(data);
          finished = true;
        } else if (name === "error") throw new Error(`${data.error.message} (${data.status})`);
      }
      if (!finished) throw new Error("the stream ended before the blog was finished");
    } catch (e) {
      for (const step of STEPS) if (part(step).dataset.state === "running") setPart(step, "failed");
      showError("blog-error", e);
    }
  });
}

// --- wiring ---------------------------------------------------------------------------------

$("api-key").value = apiKey;
$("key-status").textContent = apiKey ? "key in use" : "";
$("key-form").addEventListener("submit", useKey);
$("chat-form").addEventListener("submit", sendChat);
$("chat-settings").addEventListener("submit", (event) => event.preventDefault());
$("chat-message").addEventListener("keydown", chatKey);
$("chat-policy").addEventListener("change", policyChanged);
$("chat-reset").addEventListener("click", resetChat);
$("search-form").addEventListener("submit", search);
$("blog-form").addEventListener("submit", generate);
loadModels();
resumeChat();
