// specrag's page: the tabs (Library, Cars, Write, Ask, Usage), the API key, the language, and
// what every tab needs from the server at start (models, defaults). Plain DOM, no framework, no
// build step; each tab's code is in its own file (library.js, cars.js, write.js, ask.js, usage.js).
"use strict";

const TABS = ["library", "cars", "write", "ask", "usage"];
const OPENERS = { library: openLibrary, cars: () => findCars(), usage: () => loadUsage() };
let server = { models: [], defaults: null };

// The tab in the address (#write), so a reload or a link opens it.
function openTab(name, push = true) {
  const tab = TABS.includes(name) ? name : "library";
  for (const other of TABS) {
    $(other).hidden = other !== tab;
    $(`tab-${other}`).setAttribute("aria-selected", String(other === tab));
  }
  if (push && location.hash !== `#${tab}`) history.replaceState(null, "", `#${tab}`);
  if (OPENERS[tab]) OPENERS[tab]();
}

function useKey(event) {
  event.preventDefault();
  apiKey = $("api-key").value.trim();
  if (apiKey) sessionStorage.setItem("specrag-key", apiKey);
  else sessionStorage.removeItem("specrag-key");
  $("key-status").dataset.key = apiKey ? "keyInUse" : "noKey";
  $("key-status").textContent = t($("key-status").dataset.key);
  loadServer();
  const open = TABS.find((name) => !$(name).hidden);
  if (OPENERS[open]) OPENERS[open]();
}

// What the forms start from: the chat models (suggestions for chat; Write's choice, the
// unavailable ones greyed with why), the server's default model and chat memory.
async function loadServer() {
  let models = [];
  let defaults = null;
  try {
    let schema;
    [models, defaults, schema] = await Promise.all([
      call("GET", "/v1/models").then((reply) => reply.data),
      call("GET", "/v1/chat/defaults"),
      call("GET", "/openapi.json"),
    ]);
    useWriteDefaults(schema.components.schemas.GenerateRequest.properties);
  } catch (e) {
    // without the key (or the routes) the fields stay free text; the tabs show the API's error
  }
  server = { models, defaults };
  const usable = models.filter((m) => m.type !== "embedding" && m.available !== false);
  $("models").replaceChildren(...usable.map((m) => el("option", { value: m.id })));
  fillWriteModels(models, defaults && defaults.model);
  if (defaults) useChatDefaults(defaults);
  findCars(); // the car names Write suggests
}

function boot() {
  $("api-key").value = apiKey;
  if (apiKey) $("key-status").dataset.key = "keyInUse";
  onLanguage(() => {
    const key = $("key-status").dataset.key;
    $("key-status").textContent = key ? t(key) : "";
  });
  onLanguage(() => fillWriteModels(server.models, server.defaults && server.defaults.model));
  $("key-form").addEventListener("submit", useKey);
  $("lang").addEventListener("click", () => setLanguage(language === "zh" ? "en" : "zh"));
  for (const name of TABS) $(`tab-${name}`).addEventListener("click", () => openTab(name));
  window.addEventListener("hashchange", () => openTab(location.hash.slice(1), false));
  wireLibrary();
  wireCars();
  wireWrite();
  wireAsk();
  wireUsage();
  applyLanguage();
  loadServer();
  resumeChat();
  openTab(location.hash.slice(1), false);
}

boot();
