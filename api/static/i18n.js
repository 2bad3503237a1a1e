// The page's words in English and Chinese. Static labels carry data-i18n (text),
// data-i18n-placeholder or data-i18n-title; scripts call t(key, values). A value is a string or a
// function of the values. The choice is kept in localStorage.
"use strict";

const WORDS = {
  en: {
    tagline: "Car specifications: ask, search, write, with citations.",
    apiKey: "API key", apiKeyHint: "only if the server sets SPECRAG_API_KEY", useKey: "Use key",
    keyInUse: "key in use", noKey: "no key",
    tabLibrary: "Library", tabCars: "Cars", tabWrite: "Write", tabAsk: "Ask", tabUsage: "Usage",
    // library
    libraryTitle: "Library", dropHere: "Drop pdf, md, txt, csv or json files here",
    chooseFiles: "Choose files", replaceSame: "replace documents of the same name",
    ingestJob: "Ingest job", documentsTitle: "Documents", recentJobs: "Recent jobs",
    colName: "Name", colType: "Type", colStatus: "Status", colChunks: "Chunks", colFacts: "Facts",
    colWarnings: "Warnings", colError: "Error", colIngested: "Ingested at", colActions: "Actions",
    colCreated: "Created", colKind: "Kind", colFiles: "Files",
    documentsCount: (v) => `${v.n} document${v.n === 1 ? "" : "s"} indexed`,
    del: "Delete", reingest: "Re-ingest",
    confirmDelete: (v) => `Delete ${v.name} and its chunks from the index?`,
    uploading: (v) => `Uploading ${v.n} file${v.n === 1 ? "" : "s"}…`,
    unchanged: "Every file is already indexed with the same bytes: nothing to do.",
    jobLine: (v) => `${v.status} · ${v.done} of ${v.total} files · ${v.chunks} chunks embedded`,
    fileWaiting: "waiting", fileCurrent: "indexing…", fileDone: "indexed", fileFailed: "failed",
    fileUnchanged: "unchanged", onFile: (v) => `on ${v.name}`,
    queued: "queued", running: "running", done: "done", failed: "failed", ok: "ok",
    upload: "upload", ingest: "ingest",
    // cars
    carsTitle: "Cars", findCar: "Find a car", findCarHint: "a name or alias, English or Chinese",
    find: "Find", noCars: "No car matches.",
    carLine: (v) => `${v.documents} doc. · ${v.facts} facts`,
    sheetMeta: (v) => `${v.aliases ? `Also: ${v.aliases} · ` : ""}${v.documents} document${v.documents === 1 ? "" : "s"} · ${v.facts} facts`,
    colAttribute: "Attribute", colVariant: "Variant", colValue: "Value", colNormalized: "Normalised",
    colSources: "Sources", conflictsTitle: "Sources that disagree", noConflicts: "No conflicts.",
    conflict: "conflict",
    // write
    writeTitle: "Write", business: "Business", bizBlog: "Blog", bizPushOps: "Operations push",
    bizPushPersonal: "Personalised push", bizWeibo: "Regional Weibo post", bizReview: "Product review",
    bizNews: "News comment", car: "Car", carHint: "a car of the library (see Cars)", angle: "Angle",
    audience: "Audience", length: "Length", language: "Language", english: "English", chinese: "Chinese", model: "Model", serverDefault: "server default",
    serverDefaultIs: (v) => `server default (${v.model})`,
    // a brief field's default, as the server declares it (English)
    defaultText: (v) => v.text,
    unavailable: (v) => `${v.id} — unavailable: ${v.reason}`,
    unavailableWhy: (v) => v.reason,
    titleMax: "Title max characters", region: "Region", regionHint: "a city or province",
    profile: "Reader profile", nickname: "Nickname", city: "City", ageGroup: "Age group",
    currentCar: "Current car", budget: "Budget", interests: "Interests",
    interestsHint: "comma-separated", generate: "Generate",
    copyMarkdown: "Copy as Markdown", downloadMarkdown: "Download .md", copied: "copied",
    step_opening: "Opening", step_middle: "Middle", step_ending: "Ending", step_main: "Text",
    waiting: "waiting", writing: "writing…", stepDone: "done", stepFailed: "failed",
    reworded: "reworded", noFigures: "no figures",
    figuresAll: (v) => `${v.n} ${v.n === 1 ? "figure" : "figures"}, all supported`,
    figuresBad: (v) => `${v.bad} of ${v.n} ${v.n === 1 ? "figure" : "figures"} not supported`,
    sentencesDropped: (v) => `, ${v.n} sentence(s) dropped`,
    verdict_supported: "supported", verdict_unsupported: "not supported",
    verdict_wrong_car: "another car's",
    groundingOff: "Not checked: grounding is off for this request.",
    groundingNone: "No figures: the text states none to check.",
    figuresChecked: (v) => `${v.n} ${v.n === 1 ? "figure" : "figures"} checked`,
    grounded: (v) => `Grounded: ${v.checked}, all supported by the car's facts and sources.`,
    flagged: (v) => `Flagged: ${v.checked}, ${v.supported} supported`,
    notSupported: (v) => `; not supported: ${v.list}`,
    anotherCars: (v) => `; another car's: ${v.list}`,
    anotherCar: "another car",
    droppedFrom: (v) => ` Dropped from the ${v.step}: “${v.sentence}” (${v.reason}).`,
    writtenByModel: (v) => `Written by ${v.model} from ${v.car} facts and passages.`,
    carsFacts: (v) => (v.name ? `the ${v.name}'s` : "the car's"),
    rewordedBy: (v) => `Reworded by ${v.model} (figures kept): ${v.parts}.`,
    noneReworded: (v) => `No part reworded by ${v.model}.`,
    writtenFromFacts: (v) => `Written from ${v.car} facts (${v.n} facts, each cited). ${v.reworded}`,
    tokensCost: (v) => `${v.model} · ${v.tokens} tokens · $${v.cost}`,
    hashtags: "Hashtags", sentiment: "Sentiment",
    sentiment_positive: "positive", sentiment_neutral: "neutral", sentiment_negative: "negative",
    streamEnded: "the stream ended before the text was finished",
    noSources: "no sources", sources: "Sources", source: "Source",
    // ask
    chatTitle: "Chat", memory: "Memory", policyWindow: "window", policyTokens: "tokens",
    policySummary: "summary", maxRounds: "Max rounds", maxTokens: "Max tokens",
    newConversation: "New conversation", session: "Session:", noneYet: "none yet",
    message: "Message", messageHint: "Ask about the cars in the library (Enter sends, Shift+Enter for a new line)",
    send: "Send", defaultWord: "default", you: "You: ", summaryEarlier: "Summary of earlier turns",
    turnLine: (v) => `turn ${v.turn} · ${v.model}`,
    memoryPolicy: (v) => `memory ${v.policy}`, keptTurns: (v) => `kept turns ${v.list}`,
    droppedTurns: (v) => `dropped ${v.list}`, olderSummarised: "older turns summarised",
    none: "none",
    searchTitle: "Search the index", query: "Query", queryHint: "e.g. electric range",
    results: "Results", fileType: "File type", any: "any", search: "Search",
    noMatch: "No passage matches.", rankScore: (v) => `#${v.rank} · score ${v.score}`,
    // usage
    usageTitle: "Usage", groupBy: "Group by", byDay: "day", byModel: "model", byBusiness: "business",
    refresh: "Refresh", colCalls: "Calls", colPrompt: "Prompt tokens",
    colCompletion: "Completion tokens", colCost: "Cost (USD)", group_day: "Day",
    group_model: "Model", group_business: "Business", noUsage: "No LLM call recorded yet.",
    usageCaption: (v) => `Tokens ${v.per} (prompt and completion); the cost is at the end of each bar. Total: ${v.tokens} tokens, $${v.cost}.`,
    per_day: "per day", per_model: "per model", per_business: "per business",
    promptLegend: "prompt", completionLegend: "completion",
    // citation viewer
    close: "Close", page: (v) => `p. ${v.page}`, loading: "loading…",
    evidenceMarked: (v) => `${v.n} evidence span${v.n === 1 ? "" : "s"} marked.`,
    noEvidence: "No evidence recorded for this citation: the whole passage was given.",
  },
  zh: {
    tagline: "汽车参数：问答、检索、写作，处处有出处。",
    apiKey: "API 密钥", apiKeyHint: "仅当服务器设置了 SPECRAG_API_KEY", useKey: "使用密钥",
    keyInUse: "密钥已启用", noKey: "无密钥",
    tabLibrary: "资料库", tabCars: "车型", tabWrite: "写作", tabAsk: "问答", tabUsage: "用量",
    libraryTitle: "资料库", dropHere: "把 pdf、md、txt、csv 或 json 文件拖到这里",
    chooseFiles: "选择文件", replaceSame: "替换同名文档",
    ingestJob: "入库任务", documentsTitle: "文档", recentJobs: "最近的任务",
    colName: "名称", colType: "类型", colStatus: "状态", colChunks: "分块", colFacts: "参数",
    colWarnings: "警告", colError: "错误", colIngested: "入库时间", colActions: "操作",
    colCreated: "创建时间", colKind: "类别", colFiles: "文件",
    documentsCount: (v) => `已索引 ${v.n} 个文档`,
    del: "删除", reingest: "重新入库",
    confirmDelete: (v) => `从索引中删除 ${v.name} 及其分块？`,
    uploading: (v) => `正在上传 ${v.n} 个文件…`,
    unchanged: "所有文件都已按相同内容入库，无需处理。",
    jobLine: (v) => `${v.status} · 文件 ${v.done}/${v.total} · 已嵌入 ${v.chunks} 个分块`,
    fileWaiting: "等待中", fileCurrent: "入库中…", fileDone: "已入库", fileFailed: "失败",
    fileUnchanged: "未变化", onFile: (v) => `正在处理 ${v.name}`,
    queued: "排队中", running: "进行中", done: "完成", failed: "失败", ok: "正常",
    upload: "上传", ingest: "入库",
    carsTitle: "车型", findCar: "查找车型", findCarHint: "中英文名称或别名", find: "查找",
    noCars: "没有匹配的车型。",
    carLine: (v) => `${v.documents} 个文档 · ${v.facts} 项参数`,
    sheetMeta: (v) => `${v.aliases ? `别名：${v.aliases} · ` : ""}${v.documents} 个文档 · ${v.facts} 项参数`,
    colAttribute: "参数", colVariant: "版本", colValue: "数值", colNormalized: "标准单位",
    colSources: "出处", conflictsTitle: "来源不一致的参数", noConflicts: "没有冲突。",
    conflict: "冲突",
    writeTitle: "写作", business: "业务", bizBlog: "博客", bizPushOps: "运营推送",
    bizPushPersonal: "个性化推送", bizWeibo: "地域微博", bizReview: "产品评测", bizNews: "新闻评论",
    car: "车型", carHint: "资料库中的车型（见“车型”页）", angle: "角度",
    audience: "读者", length: "篇幅", language: "语言",
    english: "英文", chinese: "中文", model: "模型", serverDefault: "服务器默认",
    serverDefaultIs: (v) => `服务器默认（${v.model}）`,
    // the server declares its defaults in English: the ones it ships with, translated; any
    // other says what an empty field means
    defaultText: (v) => ({
      "an overview of the car for buyers": "面向购车者的车型概览",
      "general car buyers": "普通购车者",
    })[v.text] ?? "留空即用服务器的默认值",
    unavailable: (v) => `${v.id} — 不可用：${t("unavailableWhy", v)}`,
    // the server says why in English: its key variable unset (named), else its model file
    unavailableWhy: (v) => (v.key ? `未设置环境变量 ${v.key}` : "模型文件缺失或无法读取"),
    titleMax: "标题最多字数", region: "地区", regionHint: "城市或省份",
    profile: "读者画像", nickname: "昵称", city: "城市", ageGroup: "年龄段", currentCar: "现有车型",
    budget: "预算", interests: "兴趣", interestsHint: "用逗号分隔", generate: "生成",
    copyMarkdown: "复制为 Markdown", downloadMarkdown: "下载 .md", copied: "已复制",
    step_opening: "开头", step_middle: "正文", step_ending: "结尾", step_main: "正文",
    waiting: "等待中", writing: "撰写中…", stepDone: "完成", stepFailed: "失败",
    reworded: "已润色", noFigures: "没有数字",
    figuresAll: (v) => `${v.n} 个数字，全部有据`,
    figuresBad: (v) => `${v.n} 个数字中 ${v.bad} 个无据`,
    sentencesDropped: (v) => `，删去 ${v.n} 句`,
    verdict_supported: "有据", verdict_unsupported: "无据", verdict_wrong_car: "属于其他车型",
    groundingOff: "未核对：本次请求关闭了核对。",
    groundingNone: "没有数字：文本中没有需要核对的数字。",
    figuresChecked: (v) => `核对了 ${v.n} 个数字`,
    grounded: (v) => `有据：${v.checked}，全部有该车参数和来源支持。`,
    flagged: (v) => `已标记：${v.checked}，${v.supported} 个有据`,
    notSupported: (v) => `；无据：${v.list}`,
    anotherCars: (v) => `；属于其他车型：${v.list}`,
    anotherCar: "其他车型",
    droppedFrom: (v) => ` 已从${v.step}删去：“${v.sentence}”（${v.reason}）。`,
    writtenByModel: (v) => `由 ${v.model} 根据${v.car}参数和段落撰写。`,
    carsFacts: (v) => (v.name ? ` ${v.name} 的` : "该车的"),
    rewordedBy: (v) => `由 ${v.model} 润色（数字保留）：${v.parts}。`,
    noneReworded: (v) => `${v.model} 未润色任何部分。`,
    writtenFromFacts: (v) => `根据${v.car}参数撰写（${v.n} 项参数，均有出处）。${v.reworded}`,
    tokensCost: (v) => `${v.model} · ${v.tokens} 个 token · $${v.cost}`,
    hashtags: "话题", sentiment: "倾向",
    sentiment_positive: "正面", sentiment_neutral: "中性", sentiment_negative: "负面",
    streamEnded: "文本完成前数据流已结束",
    noSources: "无来源", sources: "来源", source: "来源",
    chatTitle: "对话", memory: "记忆", policyWindow: "窗口", policyTokens: "token 预算",
    policySummary: "摘要", maxRounds: "最多轮数", maxTokens: "最多 token",
    newConversation: "新对话", session: "会话：", noneYet: "尚无",
    message: "消息", messageHint: "询问资料库中的车型（回车发送，Shift+回车换行）",
    send: "发送", defaultWord: "默认", you: "你：", summaryEarlier: "早先对话的摘要",
    turnLine: (v) => `第 ${v.turn} 轮 · ${v.model}`,
    memoryPolicy: (v) => `记忆 ${v.policy}`, keptTurns: (v) => `保留第 ${v.list} 轮`,
    droppedTurns: (v) => `丢弃第 ${v.list} 轮`, olderSummarised: "早先对话已摘要",
    none: "无",
    searchTitle: "检索索引", query: "查询", queryHint: "例如：纯电续航", results: "结果数",
    fileType: "文件类型", any: "任意", search: "检索", noMatch: "没有匹配的段落。",
    rankScore: (v) => `#${v.rank} · 得分 ${v.score}`,
    usageTitle: "用量", groupBy: "分组", byDay: "按天", byModel: "按模型", byBusiness: "按业务",
    refresh: "刷新", colCalls: "调用次数", colPrompt: "输入 token", colCompletion: "输出 token",
    colCost: "费用（美元）", group_day: "日期", group_model: "模型", group_business: "业务",
    noUsage: "尚无模型调用记录。",
    usageCaption: (v) => `${v.per}的 token（输入与输出）；条形末端为费用。合计：${v.tokens} 个 token，$${v.cost}。`,
    per_day: "每天", per_model: "每个模型", per_business: "每项业务",
    promptLegend: "输入", completionLegend: "输出",
    close: "关闭", page: (v) => `第 ${v.page} 页`, loading: "加载中…",
    evidenceMarked: (v) => `已标出 ${v.n} 处证据。`,
    noEvidence: "此引用没有记录证据：模型获得的是整段文字。",
  },
};

let language = localStorage.getItem("specrag-language") === "zh" ? "zh" : "en";
const languageListeners = [];

function t(key, values = {}) {
  const word = WORDS[language][key] ?? WORDS.en[key];
  if (word === undefined) return key;
  return typeof word === "function" ? word(values) : word;
}

// Every static label in the language; then whoever shows data in words redraws it.
function applyLanguage() {
  document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  const toggle = document.getElementById("lang");
  toggle.textContent = language === "zh" ? "English" : "中文";
  toggle.lang = language === "zh" ? "en" : "zh";
  for (const listener of languageListeners) listener();
}

function setLanguage(next) {
  language = next;
  localStorage.setItem("specrag-language", next);
  applyLanguage();
}

function onLanguage(listener) {
  languageListeners.push(listener);
}

// A timestamp (seconds) as local date and time, in the page's language.
function when(seconds) {
  if (!seconds) return "";
  return new Date(seconds * 1000).toLocaleString(language === "zh" ? "zh-CN" : "en-GB");
}
