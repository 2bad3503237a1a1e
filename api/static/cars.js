// Cars: the registry (GET /v1/cars?q=) and a car's spec sheet (GET /v1/cars/{id}): each value
// with the sources it was read from (a click shows the passage, the evidence marked), and the
// values sources disagree on.
"use strict";

let carList = [];
let sheet = null;

async function findCars(event) {
  if (event) event.preventDefault();
  showError("cars-error", null);
  const q = $("cars-q").value.trim();
  try {
    const reply = await call("GET", `/v1/cars?limit=500${q ? `&q=${encodeURIComponent(q)}` : ""}`);
    carList = reply.cars;
    if (!q) $("car-names").replaceChildren(...carList.map((c) => el("option", { value: c.name })));
    drawCars();
  } catch (e) {
    showError("cars-error", e);
  }
}

function drawCars() {
  if (!carList.length) {
    $("car-list").replaceChildren(el("li", { class: "none" }, t("noCars")));
    return;
  }
  $("car-list").replaceChildren(
    ...carList.map((car) => {
      const open = el("button", { type: "button", class: "car", "data-car": car.id },
        el("strong", {}, car.name), el("span", { class: "meta" }, t("carLine", car)));
      if (sheet && sheet.id === car.id) open.setAttribute("aria-current", "true");
      open.addEventListener("click", () => openSheet(car.id));
      return el("li", {}, open);
    }),
  );
}

async function openSheet(carId) {
  showError("cars-error", null);
  try {
    sheet = await call("GET", `/v1/cars/${encodeURIComponent(carId)}`);
    drawSheet();
    drawCars();
  } catch (e) {
    showError("cars-error", e);
  }
}

// A fact's sources: each opens its passage with the fact's evidence marked.
function factSources(cites) {
  return el("ul", { class: "cites" }, ...cites.map((c) => citation(c, [c.evidence])));
}

function drawSheet() {
  if (!sheet) return;
  $("sheet").hidden = false;
  $("sheet-name").textContent = sheet.name;
  $("sheet-meta").textContent = t("sheetMeta", { ...sheet, aliases: sheet.aliases.join(", ") });
  $("sheet-specs").tBodies[0].replaceChildren(
    ...sheet.specs.map((s) =>
      el("tr", { "data-attribute": s.attribute, class: s.conflict ? "conflict" : "" },
        el("td", {}, s.label),
        el("td", {}, s.variant || ""),
        el("td", {}, s.value, s.conflict ? el("span", { class: "badge" }, t("conflict")) : null),
        el("td", { class: "num" }, s.normalized ? `${s.normalized.value} ${s.normalized.unit}` : ""),
        el("td", {}, factSources(s.citations))),
    ),
  );
  if (!sheet.conflicts.length) {
    $("sheet-conflicts").replaceChildren(el("li", { class: "none" }, t("noConflicts")));
    return;
  }
  $("sheet-conflicts").replaceChildren(
    ...sheet.conflicts.map((c) =>
      el("li", { class: "conflict", "data-attribute": c.attribute },
        el("strong", {}, c.variant ? `${c.label} (${c.variant})` : c.label),
        el("ul", {}, ...c.values.map((v) =>
          el("li", {}, el("span", { class: "value" }, v.value), factSources(v.citations))))),
    ),
  );
}

function wireCars() {
  $("cars-form").addEventListener("submit", findCars);
  onLanguage(() => {
    if (carList.length) drawCars();
    drawSheet();
  });
}
