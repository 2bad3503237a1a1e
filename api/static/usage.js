// Usage: tokens and cost of every LLM call (GET /v1/usage?group_by=day|model|business), as a bar
// chart (an SVG drawn here: prompt and completion tokens stacked, the cost at the bar's end) and a
// table.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
let usage = null;

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

async function loadUsage(event) {
  if (event) event.preventDefault();
  showError("usage-error", null);
  try {
    usage = await call("GET", `/v1/usage?group_by=${encodeURIComponent($("usage-group").value)}`);
    drawUsage();
  } catch (e) {
    showError("usage-error", e);
  }
}

function usageChart(rows) {
  const bar = 22;
  const gap = 10;
  const labelWidth = 170;
  const width = 760;
  const room = width - labelWidth - 110; // the cost label after the longest bar
  const top = 28;
  const height = top + rows.length * (bar + gap);
  const most = Math.max(1, ...rows.map((r) => r.prompt_tokens + r.completion_tokens));
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", class: "chart" });
  chart.append(svg("title", {}, $("usage-caption").textContent));
  // the legend
  chart.append(svg("rect", { x: labelWidth, y: 4, width: 12, height: 12, class: "prompt" }),
    svg("text", { x: labelWidth + 16, y: 14 }, t("promptLegend")),
    svg("rect", { x: labelWidth + 110, y: 4, width: 12, height: 12, class: "completion" }),
    svg("text", { x: labelWidth + 126, y: 14 }, t("completionLegend")));
  rows.forEach((r, i) => {
    const y = top + i * (bar + gap);
    const prompt = (r.prompt_tokens / most) * room;
    const completion = (r.completion_tokens / most) * room;
    const group = svg("g", { class: "bar", "data-group": r.group });
    group.append(
      svg("text", { x: labelWidth - 8, y: y + bar * 0.7, "text-anchor": "end" }, r.group || "—"),
      svg("rect", { x: labelWidth, y, width: Math.max(prompt, 1), height: bar, class: "prompt" },),
      svg("rect", { x: labelWidth + prompt, y, width: completion, height: bar, class: "completion" }),
      svg("text", { x: labelWidth + prompt + completion + 6, y: y + bar * 0.7, class: "cost" }, `$${r.cost.toFixed(4)}`),
    );
    group.querySelector(".prompt").append(svg("title", {}, `${r.group}: ${r.prompt_tokens} ${t("colPrompt")}`));
    group.querySelector(".completion").append(svg("title", {}, `${r.group}: ${r.completion_tokens} ${t("colCompletion")}`));
    chart.append(group);
  });
  return chart;
}

function drawUsage() {
  if (!usage) return;
  const rows = usage.rows;
  $("usage-group-head").textContent = t(`group_${usage.group_by}`);
  const tokens = rows.reduce((sum, r) => sum + r.prompt_tokens + r.completion_tokens, 0);
  const cost = rows.reduce((sum, r) => sum + r.cost, 0);
  $("usage-caption").textContent = rows.length
    ? t("usageCaption", { per: t(`per_${usage.group_by}`), tokens, cost: cost.toFixed(6) })
    : t("noUsage");
  $("usage-chart").replaceChildren(rows.length ? usageChart(rows) : "");
  $("usage-table").tBodies[0].replaceChildren(
    ...rows.map((r) =>
      el("tr", { "data-group": r.group },
        el("td", {}, r.group || "—"),
        el("td", { class: "num" }, String(r.calls)),
        el("td", { class: "num" }, String(r.prompt_tokens)),
        el("td", { class: "num" }, String(r.completion_tokens)),
        el("td", { class: "num" }, r.cost.toFixed(6))),
    ),
  );
}

function wireUsage() {
  $("usage-form").addEventListener("submit", loadUsage);
  $("usage-group").addEventListener("change", loadUsage);
  onLanguage(drawUsage);
}
