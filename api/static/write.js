// Write: the six businesses (POST /v1/generate/blog and /v1/generate/{business}), streamed step by
// step, each figure's grounding verdict shown, the text exported as Markdown.
"use strict";

const BUSINESS_STEPS = {
  car_blog: ["opening", "middle", "ending"],
  push_ops: ["main"], push_personal: ["main"], weibo_region: ["main"], review: ["main"], news_comment: ["main"],
};
let writing = null; // {business, brief, steps, response}: what the output shows

const part = (step) => document.querySelector(`#write-parts .part[data-step="${step}"]`);

// Show the fields of the chosen business only (data-for lists the businesses a field is for).
function businessChanged() {
  const business = $("write-business").value;
  for (const node of document.querySelectorAll("#write-form [data-for]")) {
    node.hidden = !node.dataset.for.split(" ").includes(business);
  }
}

function buildParts(steps) {
  $("write-parts").replaceChildren(
    ...steps.map((step) =>
      el("div", { class: "part", "data-step": step, "data-state": "pending" },
        el("h4", {}, el("span", { class: "step-name" }, t(`step_${step}`)), el("span", { class: "state" }),
          el("span", { class: "figures" }), el("span", { class: "polish" })),
        el("div", { class: "body" }, el("div", { class: "text" }), el("p", { class: "extra meta" }),
          el("ul", { class: "figure-list" })),
        el("ul", { class: "cites" })),
    ),
  );
}

const STATE_WORDS = { pending: "waiting", running: "writing", done: "stepDone", failed: "stepFailed" };

function setPart(step, state, text, cites) {
  const node = part(step);
  node.dataset.state = state;
  node.querySelector(".state").textContent = t(STATE_WORDS[state]);
  if (text !== undefined) {
    const byNumber = new Map((writing.response ? writing.response.citations : cites || []).map((c) => [c.n, c]));
    node.querySelector(".text").replaceChildren(citedText(text, byNumber, evidenceOf));
  }
  if (cites !== undefined) node.querySelector(".cites").replaceWith(citations(cites, evidenceOf));
}

// The evidence of the facts a citation backs: what the viewer marks in its passage.
function evidenceOf(c) {
  const facts = writing && writing.response ? writing.response.facts : [];
  return facts.filter((f) => f.n === c.n).map((f) => f.evidence);
}

// A part's figures and their verdicts: "9 figures, all supported", "2 of 9 figures not supported",
// and each figure with its verdict.
function partFigures(step, g) {
  let note = "";
  if (g) {
    const bad = g.checked - g.supported;
    if (!g.checked) note = t("noFigures");
    else note = bad ? t("figuresBad", { bad, n: g.checked }) : t("figuresAll", { n: g.checked });
    if (g.dropped && g.dropped.length) note += t("sentencesDropped", { n: g.dropped.length });
  }
  const node = part(step).querySelector(".figures");
  node.textContent = note;
  node.dataset.bad = String(Boolean(g && g.checked > g.supported));
  part(step).querySelector(".figure-list").replaceChildren(
    ...(g ? g.figures : []).map((f) =>
      el("li", { class: "figure", "data-verdict": f.verdict, title: f.backing ? `${f.backing.value}` : "" },
        el("span", { class: "figure-text" }, f.text), " ",
        el("span", { class: "figure-verdict" },
          t(`verdict_${f.verdict}`) + (f.verdict === "wrong_car" && f.backing && f.backing.car ? ` (${f.backing.car})` : ""))),
    ),
  );
}

// What a step's output shows: its heading, text and extras (hashtags, sentiment).
function shown(business, output) {
  if (business === "car_blog") return { title: output.title, text: output.text || "" };
  if (output.body !== undefined) return { title: output.title, text: output.body };
  const extra = [];
  if (output.hashtags && output.hashtags.length) extra.push(`${t("hashtags")}: ${output.hashtags.map((h) => `#${h}`).join(" ")}`);
  if (output.sentiment) extra.push(`${t("sentiment")}: ${t(`sentiment_${output.sentiment}`)}`);
  return { text: output.text || "", extra: extra.join(" · ") };
}

function showStep(data) {
  const view = shown(writing.business, data.output);
  if (view.title) $("write-heading").textContent = view.title;
  setPart(data.step, "done", view.text, data.passages);
  part(data.step).querySelector(".extra").textContent = view.extra || "";
  partFigures(data.step, data.grounding);
  const next = writing.steps[writing.steps.indexOf(data.step) + 1];
  if (next) setPart(next, "running");
}

// The sources a part cites ([n] in its text, marked cited) and those retrieved for it.
function partSources(response, step, text) {
  const used = new Set([...text.matchAll(CITED)].map((m) => Number(m[1])));
  return response.citations
    .filter((c) => used.has(c.n) || c.step === step)
    .map((c) => ({ ...c, cited: used.has(c.n) }));
}

// What an editor checks before trusting the text: every figure's verdict, in words. A figure
// whose sentence was dropped is told with that sentence, not as one still in the text.
function groundingNote(g) {
  if (g.mode === "off") return t("groundingOff");
  if (g.verdict === "no_figures") return t("groundingNone");
  const key = (f) => `${f.field}:${f.start}:${f.text}`;
  const left = (kind) =>
    g.steps.flatMap((s) => {
      const gone = new Set(s.dropped.flatMap((d) => d.figures.map(key)));
      return s[kind].filter((f) => !gone.has(key(f)));
    });
  const checked = t("figuresChecked", { n: g.checked });
  let note;
  if (g.verdict === "grounded") {
    note = t("grounded", { checked });
  } else {
    note = t("flagged", { checked, supported: g.supported });
    const unsupported = left("unsupported");
    const wrongCar = left("wrong_car");
    if (unsupported.length) note += t("notSupported", { list: unsupported.map((f) => f.text).join(", ") });
    if (wrongCar.length) {
      const cars = wrongCar.map((f) => `${f.text} (${f.backing ? f.backing.car : t("anotherCar")})`);
      note += t("anotherCars", { list: cars.join(", ") });
    }
    note += language === "zh" ? "。" : ".";
  }
  for (const d of g.dropped) {
    const step = language === "zh" ? t(`step_${d.step}`) : d.step;
    note += t("droppedFrom", { step, sentence: d.sentence, reason: d.reason });
  }
  return note;
}

// Who wrote the text: the car's facts through templates (the model only rewords, figures kept),
// or the model itself.
function writerNote(r) {
  const car = t("carsFacts", { name: r.car ? r.car.name : "" });
  if (r.writer !== "facts") return t("writtenByModel", { model: r.model, car });
  const parts = r.polished.map((s) => (language === "zh" ? t(`step_${s}`) : s)).join(language === "zh" ? "、" : ", ");
  const reworded = r.polished.length ? t("rewordedBy", { model: r.model, parts }) : t("noneReworded", { model: r.model });
  return t("writtenFromFacts", { car, n: r.facts.length, reworded });
}

// The texts of each step of a final response, after the guard.
function finalTexts(r) {
  if (writing.business === "car_blog") return { title: r.title, parts: { opening: r.opening, middle: r.middle, ending: r.ending } };
  const view = shown(writing.business, r.output);
  return { title: view.title || writing.brief.car, parts: { main: view.text }, extra: view.extra };
}

function showResponse() {
  const r = writing.response;
  const texts = finalTexts(r);
  $("write-heading").textContent = texts.title;
  const g = r.grounding;
  for (const step of writing.steps) {
    setPart(step, "done", texts.parts[step], partSources(r, step, texts.parts[step]));
    partFigures(step, g.mode === "off" ? null : g.steps.find((s) => s.step === step));
    part(step).querySelector(".polish").textContent = r.polished.includes(step) ? t("reworded") : "";
    if (texts.extra !== undefined) part(step).querySelector(".extra").textContent = texts.extra;
  }
  $("write-grounding").textContent = groundingNote(g);
  $("write-grounding").dataset.verdict = g.mode === "off" ? "off" : g.verdict;
  $("write-grounding").hidden = false;
  $("write-writer").textContent = writerNote(r);
  $("write-meta").textContent = t("tokensCost", { model: r.model, tokens: r.usage.total_tokens, cost: r.usage.cost.toFixed(6) });
  $("write-export").hidden = false;
}

// --- the request ------------------------------------------------------------------------------

function brief() {
  const business = $("write-business").value;
  // A field left empty is left out: the server applies its own default.
  const body = { car: $("write-car").value.trim(), language: $("write-language").value, stream: true };
  const length = parseInt($("write-length").value, 10);
  if (length) body.length = length;
  for (const field of ["angle", "audience", "model"]) {
    const value = $(`write-${field}`).value.trim();
    if (value) body[field] = value;
  }
  const titleMax = parseInt($("write-title-max").value, 10);
  if (business.startsWith("push_") && titleMax) body.title_max = titleMax;
  if (business === "weibo_region") body.region = $("write-region").value.trim();
  if (business === "push_personal") {
    const profile = {};
    const fields = { nickname: "nickname", city: "city", age: "age_group", current: "current_car", budget: "budget" };
    for (const [id, name] of Object.entries(fields)) {
      const value = $(`profile-${id}`).value.trim();
      if (value) profile[name] = value;
    }
    const interests = $("profile-interests").value.split(/[,，、]/).map((s) => s.trim()).filter(Boolean);
    if (interests.length) profile.interests = interests;
    body.user_profile = profile;
  }
  return { business, body };
}

async function generate(event) {
  event.preventDefault();
  const { business, body } = brief();
  writing = { business, brief: body, steps: BUSINESS_STEPS[business], response: null };
  showError("write-error", null);
  $("write-output").hidden = false;
  $("write-output").dataset.business = business;
  $("write-heading").textContent = body.car;
  for (const id of ["write-meta", "write-writer", "write-copied"]) $(id).textContent = "";
  $("write-grounding").hidden = true;
  $("write-export").hidden = true;
  delete $("write-grounding").dataset.verdict;
  buildParts(writing.steps);
  writing.steps.forEach((step, i) => setPart(step, i ? "pending" : "running", "", []));
  const path = business === "car_blog" ? "/v1/generate/blog" : `/v1/generate/${business}`;
  await busy(event.target, async () => {
    try {
      const response = await fetch(path, { method: "POST", headers: headers(), body: JSON.stringify(body) });
      if (!response.ok) throw await failure(response);
      for await (const { event: name, data } of sse(response)) {
        if (name === "step") showStep(data);
        else if (name === "done") {
          writing.response = data;
          showResponse();
        } else if (name === "error") throw new Error(`${data.error.message} (${data.status})`);
      }
      if (!writing.response) throw new Error(t("streamEnded"));
    } catch (e) {
      for (const step of writing.steps) if (part(step).dataset.state === "running") setPart(step, "failed");
      showError("write-error", e);
    }
  });
}

// --- Markdown ---------------------------------------------------------------------------------

function markdown() {
  const r = writing.response;
  const texts = finalTexts(r);
  const lines = [`# ${texts.title}`, ""];
  for (const step of writing.steps) lines.push(texts.parts[step], "");
  if (texts.extra) lines.push(texts.extra, "");
  if (r.citations.length) {
    lines.push(`## ${t("sources")}`, "");
    for (const c of r.citations) lines.push(`- [${c.n}] ${whereLabel(c)}`);
    lines.push("");
  }
  return lines.join("\n");
}

async function copyMarkdown() {
  const text = markdown();
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    const area = el("textarea", { class: "visually-hidden" }, text);
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  $("write-copied").textContent = t("copied");
}

function downloadMarkdown() {
  const url = URL.createObjectURL(new Blob([markdown()], { type: "text/markdown;charset=utf-8" }));
  const name = `${(writing.brief.car || "text").replace(/[^\p{L}\p{N}]+/gu, "-")}-${writing.business}.md`;
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// The server's defaults of the free-text fields, shown (in the page's language) by the empty
// fields.
let writeDefaults = {};

function showWriteDefaults() {
  for (const [name, text] of Object.entries(writeDefaults)) {
    $(`write-${name}`).placeholder = t("defaultText", { text });
  }
}

// The brief's defaults and limits as the server declares them (its OpenAPI schema of the
// request): the empty fields show what the server will use.
function useWriteDefaults(fields) {
  const number = (id, field) => {
    if (!field) return;
    if (field.default !== undefined && !$(id).value) $(id).value = field.default;
    if (field.minimum !== undefined) $(id).min = field.minimum;
    if (field.maximum !== undefined) $(id).max = field.maximum;
  };
  number("write-length", fields.length);
  number("write-title-max", fields.title_max);
  for (const name of ["angle", "audience"]) {
    if (fields[name] && fields[name].default) writeDefaults[name] = fields[name].default;
  }
  showWriteDefaults();
  if (fields.language && fields.language.default) $("write-language").value = fields.language.default;
}

// The models: the server's default first, each configured chat model, unavailable ones greyed
// with the reason.
function fillWriteModels(models, defaultModel) {
  const why = (m) => ({ id: m.id, reason: m.reason || "", key: m.api_key_env });
  const first = el("option", { value: "" }, t("serverDefaultIs", { model: defaultModel || "?" }));
  const options = models
    .filter((m) => m.type !== "embedding")
    .map((m) =>
      m.available === false
        ? el(
            "option",
            { value: m.id, disabled: "", class: "unavailable", title: t("unavailableWhy", why(m)) },
            t("unavailable", why(m)),
          )
        : el("option", { value: m.id }, m.id),
    );
  const chosen = $("write-model").value;
  $("write-model").replaceChildren(first, ...options);
  $("write-model").value = chosen;
}

function wireWrite() {
  $("write-business").addEventListener("change", businessChanged);
  $("write-form").addEventListener("submit", generate);
  $("write-copy").addEventListener("click", copyMarkdown);
  $("write-download").addEventListener("click", downloadMarkdown);
  businessChanged();
  onLanguage(showWriteDefaults);
  onLanguage(() => {
    if (writing && writing.response) {
      for (const step of writing.steps) part(step).querySelector(".step-name").textContent = t(`step_${step}`);
      showResponse();
    }
  });
}
