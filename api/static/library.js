// Library: upload files (drop or pick; POST /v1/documents), follow the ingest job
// (GET /v1/jobs/{id}), the documents indexed (GET /v1/documents), delete and re-ingest.
"use strict";

const POLL_MS = 500;
let documents = [];
let recentJobs = [];
let following = null; // {job, files: [{name, doc_id, status}]} of the job being followed

// POST with a multipart body: the browser sets the content type (and its boundary).
async function sendFiles(files) {
  const form = new FormData();
  for (const file of files) form.append("files", file, file.name);
  if ($("upload-replace").checked) form.append("replace", "true");
  const init = { method: "POST", body: form, headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} };
  const response = await fetch("/v1/documents", init);
  if (!response.ok) throw await failure(response);
  return response.json();
}

async function upload(files) {
  if (!files.length) return;
  showError("library-error", null);
  $("job").hidden = false;
  $("job-summary").textContent = t("uploading", { n: files.length });
  $("job-files").replaceChildren();
  try {
    const reply = await sendFiles(files);
    if (!reply.job) {
      following = null;
      $("job-summary").textContent = t("unchanged");
      return;
    }
    await follow(reply.job, reply.files);
  } catch (e) {
    $("job").hidden = true;
    showError("library-error", e);
  }
}

// Poll the job until it is finished, drawing its progress and each file's state.
async function follow(job, files) {
  following = { job, files };
  drawJob();
  while (following && following.job.id === job.id && !["done", "failed"].includes(following.job.status)) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    try {
      following.job = await call("GET", `/v1/jobs/${encodeURIComponent(job.id)}`);
      await loadDocuments();
    } catch (e) {
      showError("library-error", e);
      return;
    }
    drawJob();
  }
  await Promise.all([loadDocuments(), loadJobs()]);
  drawJob();
}

// A file is indexed once its ledger row is newer than the job's start. The one the job is on is
// the job's `current_file`; before the job names one, the first file not yet indexed.
function fileStates(job, files) {
  const byId = new Map(documents.map((d) => [d.doc_id, d]));
  const failedNames = new Set(job.errors.map((e) => e.path.split(/[\\/]/).pop()));
  const named = job.progress.current_file;
  let current = job.status === "running" && !named;
  return files.map((f) => {
    if (f.status === "unchanged") return [f, "unchanged"];
    if (failedNames.has(f.name)) return [f, "failed"];
    const row = byId.get(f.doc_id);
    const indexed = row && job.started_at && row.updated_at >= job.started_at;
    if (indexed || job.status === "done") return [f, row && row.status === "failed" ? "failed" : "done"];
    if (named && job.status === "running") return [f, f.name === named ? "current" : "waiting"];
    if (current) {
      current = false;
      return [f, "current"];
    }
    return [f, job.status === "failed" ? "failed" : "waiting"];
  });
}

const FILE_WORDS = {
  waiting: "fileWaiting", current: "fileCurrent", done: "fileDone", failed: "fileFailed", unchanged: "fileUnchanged",
};

function drawJob() {
  if (!following) return;
  const { job, files } = following;
  const p = job.progress;
  $("job").hidden = false;
  $("job").dataset.status = job.status;
  $("job-summary").textContent =
    t("jobLine", { status: t(job.status), done: p.files_done, total: p.files_total || files.length, chunks: p.chunks_embedded }) +
    (p.current_file && job.status === "running" ? ` · ${t("onFile", { name: p.current_file })}` : "") +
    (job.error ? ` · ${job.error}` : "");
  $("job-progress").max = Math.max(p.files_total || files.length, 1);
  $("job-progress").value = job.status === "done" ? $("job-progress").max : p.files_done;
  const reasons = new Map(job.errors.map((e) => [e.path.split(/[\\/]/).pop(), e.reason]));
  $("job-files").replaceChildren(
    ...fileStates(job, files).map(([f, state]) =>
      el("li", { class: "file", "data-state": state, "data-name": f.name },
        el("span", { class: "name" }, f.name), " ",
        el("span", { class: "state" }, t(FILE_WORDS[state])),
        reasons.has(f.name) ? el("span", { class: "reason" }, ` · ${reasons.get(f.name)}`) : null),
    ),
  );
}

// --- the documents --------------------------------------------------------------------------

async function loadDocuments() {
  const rows = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await call("GET", `/v1/documents?limit=1000&offset=${offset}`);
    rows.push(...page.documents);
    if (rows.length >= page.total || !page.documents.length) break;
  }
  documents = rows;
  drawDocuments();
}

function drawDocuments() {
  $("documents-count").textContent = t("documentsCount", { n: documents.length });
  $("documents").tBodies[0].replaceChildren(...documents.map(documentRow));
}

function documentRow(d) {
  const name = documentName(d);
  const remove = el("button", { type: "button", class: "small", "data-action": "delete" }, t("del"));
  remove.addEventListener("click", () => deleteDocument(d, name));
  const again = el("button", { type: "button", class: "small", "data-action": "reingest" }, t("reingest"));
  again.addEventListener("click", () => reingest(d, name));
  return el(
    "tr",
    { "data-doc": d.doc_id, "data-status": d.status },
    el("td", { title: d.title || "" }, name),
    el("td", {}, d.file_type),
    el("td", { class: `status-${d.status}` }, t(d.status)),
    el("td", { class: "num" }, String(d.chunks)),
    el("td", { class: "num" }, String(d.facts)),
    el("td", { class: "warnings" }, ...d.warnings.map((w) => el("div", {}, w))),
    el("td", { class: "bad" }, d.error || ""),
    el("td", {}, when(d.updated_at)),
    el("td", { class: "actions" }, again, remove),
  );
}

async function deleteDocument(d, name) {
  if (!window.confirm(t("confirmDelete", { name }))) return;
  showError("library-error", null);
  try {
    await call("DELETE", `/v1/documents/${encodeURIComponent(d.doc_id)}`);
    await loadDocuments();
  } catch (e) {
    showError("library-error", e);
  }
}

async function reingest(d, name) {
  showError("library-error", null);
  try {
    const reply = await call("POST", `/v1/documents/${encodeURIComponent(d.doc_id)}/reingest`);
    await follow(reply.job, [{ name, doc_id: d.doc_id, status: "replaced" }]);
  } catch (e) {
    showError("library-error", e);
  }
}

// --- recent jobs ----------------------------------------------------------------------------

async function loadJobs() {
  recentJobs = (await call("GET", "/v1/jobs?limit=10")).jobs;
  drawJobs();
}

function drawJobs() {
  $("jobs").tBodies[0].replaceChildren(
    ...recentJobs.map((j) =>
      el("tr", { "data-job": j.id, "data-status": j.status },
        el("td", {}, when(j.created_at)),
        el("td", {}, t(j.kind)),
        el("td", { class: `status-${j.status}` }, t(j.status)),
        el("td", { class: "num" }, `${j.progress.files_done}/${j.progress.files_total}`),
        el("td", { class: "num" }, String(j.progress.chunks_embedded)),
        el("td", { class: "bad" }, j.error || j.errors.map((e) => `${e.path.split(/[\\/]/).pop()}: ${e.reason}`).join("; "))),
    ),
  );
}

async function openLibrary() {
  showError("library-error", null);
  try {
    await Promise.all([loadDocuments(), loadJobs()]);
  } catch (e) {
    showError("library-error", e);
  }
}

function wireLibrary() {
  const drop = $("drop");
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
  }
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    upload([...event.dataTransfer.files]);
  });
  $("upload-files").addEventListener("change", (event) => {
    upload([...event.target.files]);
    event.target.value = "";
  });
  $("upload-form").addEventListener("submit", (event) => event.preventDefault());
  onLanguage(() => {
    drawDocuments();
    drawJobs();
    drawJob();
  });
}
