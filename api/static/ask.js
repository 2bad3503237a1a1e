// Ask: chat with memory (POST /v1/chat, the session kept across reloads) and search
// (POST /v1/query), answers and passages with their sources beside them.
"use strict";

// The chat session outlives a reload of the tab (like the key): resumeChat shows its turns.
let sessionId = sessionStorage.getItem("specrag-session");
let chatDefaults = null; // GET /v1/chat/defaults: the memory the server gives a new session

// --- chat -----------------------------------------------------------------------------------

function memory() {
  const policy = $("chat-policy").value;
  const limit = parseInt($("chat-limit").value, 10);
  const settings = { policy };
  if (limit > 0) settings[policy === "window" ? "max_turns" : "max_tokens"] = limit;
  return settings;
}

// The limit's label and the server's default for the policy chosen.
function policyChanged() {
  const byRounds = $("chat-policy").value === "window";
  $("chat-limit-label").textContent = t(byRounds ? "maxRounds" : "maxTokens");
  if (chatDefaults) $("chat-limit").value = byRounds ? chatDefaults.memory.max_turns : chatDefaults.memory.max_tokens;
}

// The memory a new session gets on this server (GET /v1/chat/defaults), not one of our own.
function useChatDefaults(defaults) {
  chatDefaults = defaults;
  $("chat-policy").value = defaults.memory.policy;
  policyChanged();
}

function memoryNote(m) {
  if (!m) return "";
  const notes = [t("memoryPolicy", { policy: m.policy })];
  if (m.tokens) notes.push(`${m.tokens.total}/${m.tokens.budget} tokens`);
  notes.push(t("keptTurns", { list: (m.kept_turns || []).join(", ") || t("none") }));
  if (m.dropped_turns && m.dropped_turns.length) notes.push(t("droppedTurns", { list: m.dropped_turns.join(", ") }));
  if (m.summary) notes.push(t("olderSummarised"));
  return notes.join(" · ");
}

function chatTurn(message, reply) {
  const cost = reply.usage ? ` · $${reply.usage.cost.toFixed(6)}` : "";
  const cites = reply.citations || [];
  const byNumber = new Map(cites.map((c) => [c.n, c]));
  const facts = reply.facts || [];
  const evidenceOf = (c) => facts.filter((f) => f.n === c.n).map((f) => f.evidence);
  return el(
    "li",
    { class: "turn", "data-turn": reply.turn },
    el(
      "div",
      { class: "exchange" },
      el("p", { class: "you", "data-you": t("you") }, message),
      el("div", { class: "answer" }, citedText(reply.answer, byNumber, evidenceOf)),
      el("p", { class: "meta" }, [t("turnLine", reply) + cost, memoryNote(reply.memory)].filter(Boolean).join(" · ")),
      reply.memory && reply.memory.summary
        ? el("details", { class: "summary" }, el("summary", {}, t("summaryEarlier")), reply.memory.summary)
        : null,
    ),
    el("aside", { class: "sources" }, el("h4", {}, t("sources")), citations(cites, evidenceOf)),
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
  $("chat-session").textContent = id || t("noneYet");
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
      el("p", { class: "meta" }, t("rankScore", { rank: rank + 1, score: r.score.toFixed(4) }))),
    el("aside", { class: "sources" }, el("h4", {}, t("source")), citations([{ ...r.citation, chunk_id: r.chunk_id }])),
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
      if (!items.length) items.push(el("li", { class: "none" }, t("noMatch")));
      $("search-results").replaceChildren(...items);
    } catch (e) {
      showError("search-error", e);
    }
  });
}

function wireAsk() {
  $("chat-form").addEventListener("submit", sendChat);
  $("chat-settings").addEventListener("submit", (event) => event.preventDefault());
  $("chat-message").addEventListener("keydown", chatKey);
  $("chat-policy").addEventListener("change", policyChanged);
  $("chat-reset").addEventListener("click", resetChat);
  $("search-form").addEventListener("submit", search);
  setSession(sessionId);
  onLanguage(() => {
    $("chat-limit-label").textContent = t($("chat-policy").value === "window" ? "maxRounds" : "maxTokens");
    $("chat-session").textContent = sessionId || t("noneYet");
  });
}
