/*
 * The chat page and precedent finder for ITU policy texts.
 *
 * Plain JavaScript, no dependencies, nothing fetched from outside this server. Every piece of text that
 * comes from the API or the user is put on the page as a text node (textContent, createTextNode), never
 * parsed as HTML, so a question or a passage can never run code. The API contract is issue 4 (/ask,
 * /search, /precedents, /passages, /documents); the citator surfaces of issue 9 (cites, cited_by,
 * /references, /passages/{id}/versions) are used when the server has them and left out when not.
 *
 * The page speaks the six official languages (issue 18): its words come from window.PAGE_STRINGS
 * (i18n.js) through t(); the passages, citations and document titles it shows stay in their own language,
 * in blocks marked dir="auto" so that English reads left to right inside the Arabic (right-to-left) page.
 */
(() => {
  "use strict";

  // Clause roles (rag.types.ClauseRole, in its order; a test keeps this list equal to it).
  const PREAMBULAR_ROLES = [
    "recalling", "considering", "recognizing", "noting", "bearing in mind", "taking into account",
    "emphasizing", "acknowledging", "aware", "conscious", "convinced", "mindful", "reaffirming",
    "confirming", "having regard to", "observing", "welcoming", "concerned", "stressing", "expressing",
    "underlining", "highlighting", "reiterating", "affirming", "determined", "guided by", "alarmed",
    "committed", "encouraged", "desiring", "believing", "deploring", "regretting", "seeking",
    "looking forward", "having considered",
  ];
  const OPERATIVE_ROLES = [
    "resolves", "instructs", "invites", "encourages", "requests", "appeals to", "urges", "calls upon",
    "decides", "recommends", "is of the view", "declares", "affirms", "reaffirms", "undertakes", "endorses",
    "stresses", "emphasizes", "welcomes", "takes note", "notes", "recognizes", "acknowledges", "expresses",
    "underlines", "underscores", "highlights", "reiterates", "recalls", "commends", "supports", "approves",
    "adopts", "authorizes", "agrees", "confirms", "considers", "believes", "calls for", "demands",
    "condemns", "deplores", "regrets", "proclaims", "designates", "looks forward",
  ];
  const OTHER_ROLES = ["specific action point"];

  const ASK_K = 5;
  const PRECEDENT_K = 8;
  const CITED_BY_SHOWN = 12;

  const state = {
    documents: new Map(), // id -> document (short_title, title, ...)
    turns: 0,
    busy: false,
    panelHistory: [], // earlier panel views: {type: "passage", id} | {type: "refs", key, label}
    panelView: null,
    panelToken: 0,
    lastFocus: null,
    outlines: new Map(), // doc id -> outline promise
  };

  const $ = (id) => document.getElementById(id);
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  const scrollBehavior = () => (reducedMotion.matches ? "auto" : "smooth");

  // ---------------------------------------------------------------------------------- DOM helpers

  /** Build an element: attributes (class, text, on*, dataset, aria-*, ...) and children (nodes or text). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else if (key === "dataset") Object.assign(el.dataset, value);
      else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    }
    return el;
  }

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
  }

  /**
   * The text with some spans wrapped: spans are {start, end, wrap(textNode) -> Node}. Overlapping or
   * out-of-range spans are trimmed so the text is always shown whole and in order.
   */
  function withSpans(text, spans) {
    const frag = document.createDocumentFragment();
    const sorted = spans
      .filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end) && s.end > s.start)
      .sort((a, b) => a.start - b.start || b.end - a.end);
    let at = 0;
    for (const span of sorted) {
      const start = Math.max(span.start, at);
      const end = Math.min(span.end, text.length);
      if (end <= start) continue;
      if (start > at) frag.append(document.createTextNode(text.slice(at, start)));
      frag.append(span.wrap(document.createTextNode(text.slice(start, end))));
      at = end;
    }
    if (at < text.length) frag.append(document.createTextNode(text.slice(at)));
    return frag;
  }

  /** The text with the API's ``highlights`` ([start, end] pairs) marked. */
  function highlighted(text, highlights) {
    const spans = (Array.isArray(highlights) ? highlights : [])
      .filter((pair) => Array.isArray(pair) && pair.length === 2)
      .map(([start, end]) => ({ start, end, wrap: (node) => h("mark", {}, node) }));
    return withSpans(text || "", spans);
  }

  function truncate(text, max) {
    if (!text || text.length <= max) return text || "";
    const cut = text.slice(0, max);
    const space = cut.lastIndexOf(" ");
    return (space > max * 0.6 ? cut.slice(0, space) : cut) + "…";
  }

  /** Tell screen readers (the polite live region); cleared first so a repeated message is read again. */
  function announce(message) {
    const live = $("live");
    live.textContent = "";
    window.setTimeout(() => { live.textContent = message; }, 60);
  }

  let toastTimer = 0;
  function toast(message) {
    const el = $("toast");
    el.textContent = message;
    el.hidden = false;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(() => { el.hidden = true; }, 2600);
  }

  // ------------------------------------------------------------------------------------ languages

  // The six official languages in the UN's order (the switch in index.html names each in itself).
  const LANGUAGES = ["ar", "zh", "en", "fr", "ru", "es"];
  const RIGHT_TO_LEFT = new Set(["ar"]);
  const LANGUAGE_KEY = "itu-page-language";
  const STRINGS = window.PAGE_STRINGS || { en: {} };
  let uiLanguage = "en";

  /** The delegate's earlier choice, else the browser's first supported language, else English. */
  function preferredLanguage() {
    let stored = null;
    try {
      stored = window.localStorage.getItem(LANGUAGE_KEY);
    } catch (_) {
      stored = null; // storage off (private mode, policy): the browser's language still applies
    }
    if (LANGUAGES.includes(stored)) return stored;
    const wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (const tag of wanted) {
      const primary = String(tag || "").toLowerCase().split(/[-_]/)[0];
      if (LANGUAGES.includes(primary)) return primary;
    }
    return "en";
  }

  /** [the entry for key in the page's language, that language], falling back to English. */
  function entry(key) {
    const own = (STRINGS[uiLanguage] || {})[key];
    if (own !== undefined) return [own, uiLanguage];
    const english = (STRINGS.en || {})[key];
    return [english === undefined ? key : english, "en"];
  }

  // In the right-to-left page a filled-in value (an English citation, a typed word) is set apart with
  // Unicode's first-strong isolate, so that its own direction cannot scramble the sentence around it.
  const isolated = (value) => (isRightToLeft() ? "\u2068" + value + "\u2069" : String(value));

  const fill = (template, params) =>
    String(template).replace(/\{(\w+)\}/g, (whole, name) => (params && name in params ? isolated(params[name]) : whole));

  /** The page's words for key, with its {placeholders} filled from params. */
  function t(key, params) {
    return fill(entry(key)[0], params);
  }

  /** A counted phrase: the plural form that Intl.PluralRules picks for n in the entry's language. */
  function tn(key, n, params) {
    const [value, language] = entry(key);
    let form = value;
    if (value && typeof value === "object") {
      const category = new Intl.PluralRules(language).select(n);
      form = value[category] !== undefined ? value[category] : value.other;
    }
    return fill(form, { ...params, n });
  }

  /** Like t, but a placeholder may be filled with nodes: the pieces to append, in the language's order. */
  function tNodes(key, params) {
    const pieces = [];
    for (const part of String(entry(key)[0]).split(/(\{\w+\})/)) {
      const name = /^\{(\w+)\}$/.exec(part);
      const value = name && params && name[1] in params ? params[name[1]] : undefined;
      if (value !== undefined) pieces.push(typeof value === "string" || typeof value === "number" ? isolated(value) : value);
      else if (part) pieces.push(part);
    }
    return pieces;
  }

  function languageName(code) {
    const own = (STRINGS[uiLanguage] || {}).languages || {};
    return own[code] || ((STRINGS.en || {}).languages || {})[code] || code;
  }

  const isRightToLeft = () => RIGHT_TO_LEFT.has(uiLanguage);
  const uiDir = () => (isRightToLeft() ? "rtl" : "ltr");

  /** The HTML's own words: data-i18n (text) and data-i18n-ATTRIBUTE name keys of the page's strings. */
  function translateStatic() {
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const attr of ["placeholder", "aria-label", "title", "label", "content"]) {
      for (const el of document.querySelectorAll("[data-i18n-" + attr + "]")) {
        el.setAttribute(attr, t(el.getAttribute("data-i18n-" + attr)));
      }
    }
  }

  /** Fill el with what draw() builds, now and again whenever the language changes. */
  function drawInto(el, draw) {
    el.redraw = () => append(clear(el), [draw()]);
    el.setAttribute("data-redraw", "");
    el.redraw();
    return el;
  }

  /** Speak code (one of LANGUAGES): <html lang dir>, the HTML's words, what is on screen; remember it if asked. */
  function setLanguage(code, { remember = false } = {}) {
    uiLanguage = LANGUAGES.includes(code) ? code : "en";
    document.documentElement.lang = uiLanguage;
    document.documentElement.dir = uiDir();
    $("language").value = uiLanguage;
    translateStatic();
    for (const el of document.querySelectorAll("[data-redraw]")) if (typeof el.redraw === "function") el.redraw();
    if (!$("panel").hidden && state.panelView) openView(state.panelView, { push: false, focus: false });
    if (remember) {
      try {
        window.localStorage.setItem(LANGUAGE_KEY, uiLanguage);
      } catch (_) { /* not kept: the page still switches */ }
    }
  }

  // ------------------------------------------------------------------------------------------ API

  class ApiError extends Error {
    /** title and fallbackHint are keys of the page's strings; detail and hint are the API's own words. */
    constructor(title, { detail = "", hint = "", fallbackHint = null, status = 0, code = "" } = {}) {
      super(title);
      Object.assign(this, { title, detail, hint, fallbackHint, status, code });
    }
  }

  /** "no usable index is loaded" -> "No usable index is loaded." */
  function sentence(text) {
    const words = (text || "").trim();
    if (!words) return "";
    return words.charAt(0).toUpperCase() + words.slice(1) + (/[.!?…:)]$/.test(words) ? "" : ".");
  }

  /** Plain words for an API failure: [title, hint when the API gives none], keys of the page's strings. */
  function describeFailure(status) {
    if (status === 401 || status === 403) return ["errForbidden", null];
    if (status === 404) return ["errNotFound", null];
    if (status === 413) return ["errTooLong", "hintShorten"];
    if (status === 422 || status === 400) return ["errRejected", null];
    if (status === 429) return ["errTooMany", "hintWait"];
    if (status === 503) return ["errNotReady", "hintLoading"];
    if (status >= 500) return ["errServer", "hintServer"];
    return ["errFailed", null];
  }

  /** The ApiError for a failed response; the API's own message and hint (issue 4's error body) follow. */
  function failure(status, data) {
    const error = data && typeof data.error === "object" ? data.error : null;
    const [title, fallbackHint] = describeFailure(status);
    // A server fault other than "not ready" has nothing to tell a delegate beyond the page's own words.
    const quiet = status >= 500 && status !== 503;
    const words = (field) => (!quiet && error && typeof error[field] === "string" ? sentence(error[field]) : "");
    return new ApiError(title, {
      detail: words("message"),
      hint: words("hint"),
      fallbackHint,
      status,
      code: error ? error.code : "http_" + status,
    });
  }

  async function api(path, { method = "GET", body } = {}) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (_) {
      throw new ApiError("errNetwork", { fallbackHint: "hintNetwork", code: "network" });
    }
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (!response.ok) throw failure(response.status, data);
    if (data === null) {
      throw new ApiError("errBadBody", { fallbackHint: "hintReload", status: response.status, code: "bad_body" });
    }
    return data;
  }

  const passagePath = (id) => "/passages/" + id.split("/").map(encodeURIComponent).join("/");

  function errorBox(err, retry) {
    const e = err instanceof ApiError
      ? err
      : new ApiError("errClient", { detail: String((err && err.message) || err), fallbackHint: "hintReload", code: "client" });
    // The API's own message and hint are its words (English): they keep their own direction.
    return h("div", { class: "error", role: "alert" },
      h("p", { class: "error-title", text: t(e.title) }),
      e.detail ? h("p", { dir: "auto", text: e.detail }) : null,
      e.hint ? h("p", { dir: "auto", text: e.hint }) : null,
      !e.hint && e.fallbackHint ? h("p", { text: t(e.fallbackHint) }) : null,
      retry ? h("button", { type: "button", class: "btn btn-small", onclick: retry, text: t("tryAgain") }) : null);
  }

  function loadingBox(message) {
    return h("div", { class: "loading" },
      h("span", { class: "spinner", "aria-hidden": "true" }),
      h("span", { text: message }));
  }

  // ------------------------------------------------------------------------------------ clipboard

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch (_) { /* fall back below */ }
    }
    // Plain-HTTP conference networks are not a secure context: no Clipboard API there.
    const focused = document.activeElement;
    const area = h("textarea", { class: "visually-hidden", readonly: true, "aria-hidden": "true", tabindex: "-1" });
    area.value = text;
    document.body.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (_) {
      ok = false;
    }
    area.remove();
    if (focused && typeof focused.focus === "function") focused.focus();
    return ok;
  }

  function copyButton(citation, { small = true } = {}) {
    const button = h("button", {
      type: "button",
      class: small ? "btn btn-small" : "btn",
      "aria-label": t("copyCitationOf", { citation }),
      text: t("copyCitation"),
    });
    button.addEventListener("click", async () => {
      const ok = await copyText(citation);
      if (ok) {
        button.textContent = t("copied");
        button.classList.add("is-done");
        announce(t("citationCopied", { citation }));
        window.setTimeout(() => {
          button.textContent = t("copyCitation");
          button.classList.remove("is-done");
        }, 2000);
      } else {
        toast(t("copyBlocked"));
      }
    });
    return button;
  }

  // ------------------------------------------------------------------------------ shared pieces

  function docTitle(docId) {
    const doc = state.documents.get(docId);
    return doc ? doc.short_title : docId;
  }

  /** The instrument's title ("Applied research and transfer of technology") from the heading path. */
  function instrumentTitle(result) {
    if (!result.instrument || !Array.isArray(result.path)) return null;
    for (const heading of result.path) {
      if (heading.startsWith(result.instrument) && heading.length > result.instrument.length + 3) {
        return heading.slice(result.instrument.length).replace(/^\s*[–—-]\s*/, "");
      }
    }
    return null;
  }

  function metaChips(result) {
    return h("p", { class: "card-meta" },
      h("span", { class: "chip chip-doc", dir: "auto", text: docTitle(result.doc) }),
      result.clause ? h("span", { class: "chip chip-role", dir: "auto", text: result.clause }) : null,
      !result.clause && result.kind ? h("span", { class: "chip", dir: "auto", text: result.kind }) : null);
  }

  function labelled(label, body) {
    return [label ? h("span", { class: "card-label", text: label }) : null, body];
  }

  function contextButton(id, citation) {
    return h("button", {
      type: "button",
      class: "btn btn-small",
      "aria-label": t("showInContextOf", { citation }),
      text: t("showInContext"),
      onclick: (event) => openPassage(id, { trigger: event.currentTarget }),
    });
  }

  /** A link that opens a passage in the panel; its address (#passage=ID) can still be shared. */
  function passageLink(id, attrs, ...children) {
    return h("a", {
      ...attrs,
      href: "#passage=" + encodeURIComponent(id),
      onclick: (event) => { event.preventDefault(); openPassage(id, { trigger: event.currentTarget }); },
    }, ...children);
  }

  /** A passage card: citation, document, clause role, the text with the query's words marked. */
  function resultCard(result, { n = null, cardId = null, more = false } = {}) {
    const titleId = cardId ? cardId + "-title" : null;
    const subtitle = instrumentTitle(result);
    return h("li", { class: more ? "card card-more" : "card", id: cardId, tabindex: cardId ? "-1" : null, "aria-labelledby": titleId },
      h("div", { class: "card-head" },
        n !== null ? h("span", { class: "card-n", "aria-hidden": "true", text: String(n) }) : null,
        h("div", { class: "card-titles" },
          h("h3", { class: "card-citation", id: titleId, dir: "auto" },
            n !== null ? h("span", { class: "visually-hidden", dir: uiDir(), text: t("sourceN", { n }) + " " }) : null,
            result.citation),
          metaChips(result))),
      subtitle ? h("p", { class: "card-lead", dir: "auto", text: subtitle }) : null,
      h("p", { class: "card-text", dir: "auto" }, labelled(result.label, highlighted(result.text, result.highlights))),
      h("div", { class: "card-actions" },
        contextButton(result.id, result.citation),
        copyButton(result.citation)));
  }

  // ------------------------------------------------------------------------------------------ ask

  function currentFilters(docSelect, roleSelect) {
    const filters = {};
    if (docSelect && docSelect.value) filters.doc = [docSelect.value];
    if (roleSelect && roleSelect.value) filters.clause = [roleSelect.value];
    return filters;
  }

  function filterWords(filters) {
    const parts = [];
    if (filters.doc) parts.push(t("filterIn", { docs: filters.doc.map(docTitle).join(t("listSeparator")) }));
    if (filters.clause) parts.push(t("filterRoleOnly", { roles: filters.clause.join(t("listSeparator")) }));
    return parts.join(" · ");
  }

  function askQuestion(question) {
    const text = question.trim();
    if (!text || state.busy) return;
    const filters = currentFilters($("ask-doc"), $("ask-role"));
    $("welcome").hidden = true;
    state.turns += 1;
    const turnId = "turn-" + state.turns;
    const body = h("div", { class: "turn-body" });
    // The question keeps its own direction (dir="auto"); the bubble and the words around it are the page's.
    const heading = drawInto(h("h2", { class: "question", id: turnId + "-q" }), () => {
      const meta = filterWords(filters);
      return [h("span", { class: "visually-hidden", text: t("youAsked") + " " }),
        h("span", { class: "question-text", dir: "auto", text }),
        meta ? h("span", { class: "question-meta", text: meta }) : null];
    });
    const turn = h("li", { class: "turn", id: turnId, "aria-labelledby": turnId + "-q" }, heading, body);
    $("conversation").append(turn);
    turn.scrollIntoView({ block: "start", behavior: scrollBehavior() });
    runAsk(turnId, body, text, filters);
  }

  async function runAsk(turnId, body, question, filters) {
    if (state.busy) return;
    state.busy = true;
    $("ask-submit").disabled = true;
    drawInto(body, () => loadingBox(t("searching")));
    body.setAttribute("aria-busy", "true");
    announce(t("searching"));
    try {
      const data = await api("/ask", { method: "POST", body: { question, k: ASK_K, filters } });
      drawInto(body, () => renderAnswer(turnId, data));
      const cited = Array.isArray(data.citations) ? data.citations.length : 0;
      if (data.answer) {
        announce(t("announceAnswer", { answer: data.answer }) + (cited ? " " + tn("citedBelow", cited) : ""));
      } else {
        announce(Array.isArray(data.results) && data.results.length ? t("announceClosest") : t("nothingMatches"));
      }
    } catch (err) {
      drawInto(body, () => errorBox(err, () => runAsk(turnId, body, question, filters)));
      announce(t("askFailed") + (err instanceof ApiError ? " " + t(err.title) : ""));
    } finally {
      body.setAttribute("aria-busy", "false");
      state.busy = false;
      $("ask-submit").disabled = false;
    }
  }

  function renderAnswer(turnId, data) {
    const results = Array.isArray(data.results) ? data.results : [];
    const citations = Array.isArray(data.citations) ? data.citations : [];
    const byId = new Map(results.map((r) => [r.id, r]));
    const frag = document.createDocumentFragment();

    append(frag, [readAsNote(data)]);
    if (!results.length) {
      frag.append(h("div", { class: "empty" },
        h("strong", { text: t("nothingMatches") }),
        t("nothingMatchesHint")));
      return frag;
    }

    const cardId = (n) => turnId + "-source-" + n;
    const known = new Map(citations.filter((c) => byId.has(c.id)).map((c) => [Number(c.n), c]));
    append(frag, [spellingNote(data.corrections)]);

    const answer = h("section", { class: "answer", "aria-label": t("answer") });
    const byLlm = data.answered_by === "llm";
    answer.append(h("p", { class: "answer-label", text: t(byLlm ? "answerByLlm" : "answerQuoted") }));
    if (data.answer && !byLlm) {
      // Extractive: one quoted sentence per [n] group reads better as a list than as one run-on paragraph.
      const list = h("ul", { class: "answer-quotes" });
      for (const piece of splitAtMarkers(data.answer)) {
        list.append(h("li", { dir: "auto" }, answerWithMarkers(piece, known, cardId)));
      }
      answer.append(list);
    } else if (data.answer) {
      answer.append(h("p", { class: "answer-text", dir: "auto" }, answerWithMarkers(data.answer, known, cardId)));
    } else {
      answer.append(h("p", { class: "answer-text", text: t("noDirectAnswer") }));
    }
    if (data.notice) answer.append(h("p", { class: "answer-notice", dir: "auto", text: data.notice }));
    frag.append(answer);

    const citedIds = new Set();
    const cards = h("ol", { class: "cards", "aria-label": t("citedPassages") });
    for (const [n, citation] of [...known.entries()].sort((a, b) => a[0] - b[0])) {
      citedIds.add(citation.id);
      cards.append(resultCard(byId.get(citation.id), { n, cardId: cardId(n) }));
    }
    if (cards.childElementCount) {
      frag.append(h("h3", { class: "sources-title", text: t("sources") }), cards);
    }

    const rest = results.filter((r) => !citedIds.has(r.id));
    if (rest.length) {
      const list = h("ul", { class: "cards", "aria-label": t("otherPassages") });
      for (const r of rest) list.append(resultCard(r, { more: true }));
      const details = h("details", { class: "more-results" },
        h("summary", { text: tn("morePassages", rest.length) }),
        list);
      if (!cards.childElementCount) details.open = true;
      frag.append(details);
    }
    return frag;
  }

  /** Misspelt words were read as corpus words: say so, as a search engine does ("Searched for ..."). */
  function spellingNote(corrections) {
    if (!Array.isArray(corrections) || !corrections.length) return null;
    const words = corrections.map((c, i) => [
      i ? t("listSeparator") : "",
      tNodes("youTyped", { corrected: h("strong", { dir: "auto", text: c.corrected }), typed: c.typed }),
    ]);
    return h("p", { class: "spelling-note" }, tNodes("searchedFor", { words }));
  }

  /** "Question read as French": the language the API detected (its ``lang``), said only when not English. */
  function readAsNote(data) {
    const code = typeof data.lang === "string" ? data.lang.toLowerCase() : "";
    if (!LANGUAGES.includes(code) || code === "en") return null;
    return h("p", { class: "read-as", text: t("readAs", { language: languageName(code) }) });
  }

  /** "A. [1] B. [2][3]" -> ["A. [1]", "B. [2][3]"]: each sentence with the markers that follow it. */
  function splitAtMarkers(answer) {
    const pieces = [];
    const pattern = /(?:\s*\[\d+\])+/g;
    let at = 0;
    let match;
    while ((match = pattern.exec(answer)) !== null) {
      const end = match.index + match[0].length;
      const piece = answer.slice(at, end).trim();
      if (piece) pieces.push(piece);
      at = end;
    }
    const tail = answer.slice(at).trim();
    if (tail) pieces.push(tail);
    return pieces;
  }

  /** The answer text with each [n] turned into a link to its card. */
  function answerWithMarkers(answer, known, cardId) {
    const frag = document.createDocumentFragment();
    const pattern = /\[(\d+)\]/g;
    let at = 0;
    let match;
    while ((match = pattern.exec(answer)) !== null) {
      const n = Number(match[1]);
      if (match.index > at) frag.append(document.createTextNode(answer.slice(at, match.index)));
      const citation = known.get(n);
      if (citation) {
        const target = cardId(n);
        frag.append(h("a", {
          class: "marker",
          href: "#" + target,
          "aria-label": t("markerLabel", { n, citation: citation.citation }),
          title: citation.citation,
          text: String(n),
          onclick: (event) => {
            event.preventDefault();
            const card = document.getElementById(target);
            if (!card) return;
            card.scrollIntoView({ block: "center", behavior: scrollBehavior() });
            card.focus({ preventScroll: true });
            card.classList.add("is-flash");
            window.setTimeout(() => card.classList.remove("is-flash"), 1600);
          },
        }));
      } else {
        frag.append(document.createTextNode(match[0]));
      }
      at = match.index + match[0].length;
    }
    if (at < answer.length) frag.append(document.createTextNode(answer.slice(at)));
    return frag;
  }

  // ----------------------------------------------------------------------------------- precedents

  async function findPrecedents(event) {
    if (event) event.preventDefault();
    const draft = $("draft").value;
    const out = $("precedent-results");
    if (!draft.trim()) {
      drawInto(out, () => h("div", { class: "error", role: "alert" },
        h("p", { class: "error-title", text: t("pasteFirst") }),
        h("p", { text: t("pasteFirstHint") })));
      $("draft").focus();
      return;
    }
    const body = { text: draft, k: PRECEDENT_K };
    if ($("precedent-role").value) body.clause = $("precedent-role").value;
    const filters = currentFilters($("precedent-doc"), null);
    if (filters.doc) body.filters = filters;

    const button = $("precedent-submit");
    button.disabled = true;
    out.setAttribute("aria-busy", "true");
    drawInto(out, () => loadingBox(t("lookingForPrecedents")));
    try {
      const data = await api("/precedents", { method: "POST", body });
      drawInto(out, () => renderPrecedents(draft, data));
      const n = Array.isArray(data.results) ? data.results.length : 0;
      announce(n ? tn("announcePrecedents", n, { citation: data.results[0].citation }) : t("noSimilar"));
    } catch (err) {
      drawInto(out, () => errorBox(err, () => findPrecedents()));
    } finally {
      out.setAttribute("aria-busy", "false");
      button.disabled = false;
    }
  }

  function usageBadge(alsoIn) {
    if (alsoIn > 0) {
      return h("span", { class: "usage usage-agreed", text: tn("usageAgreed", alsoIn) });
    }
    return h("span", { class: "usage usage-unique", text: t("usageUnique") });
  }

  function sharedSpans(shared, side) {
    return shared.map((s, i) => {
      const span = Array.isArray(s[side]) ? s[side] : [];
      return {
        start: span[0],
        end: span[1],
        wrap: (node) => h("mark", { class: "shared shared-" + ((i % 4) + 1), dataset: { shared: String(i) } }, node),
      };
    });
  }

  function renderPrecedents(draft, data) {
    const frag = document.createDocumentFragment();
    const results = Array.isArray(data.results) ? data.results : [];
    if (!results.length) {
      frag.append(h("div", { class: "empty" },
        h("strong", { text: t("noSimilar") }),
        t("noSimilarHint")));
      return frag;
    }
    const summary = [tn("precedentSummary", results.length)];
    if (data.clause) {
      summary.push(t(data.clause_source === "detected" ? "roleFirstDetected" : "roleFirst", { role: data.clause }));
    }
    frag.append(h("h2", { class: "visually-hidden", text: t("closestClauses") }),
      h("p", { class: "precedent-summary", text: summary.join(" · ") }));
    results.forEach((r, index) => frag.append(precedentCard(draft, r, index)));
    return frag;
  }

  function precedentCard(draft, r, index) {
    const shared = Array.isArray(r.shared) ? r.shared : [];
    const titleId = "precedent-" + index + "-title";
    const article = h("article", { class: "precedent", "aria-labelledby": titleId });
    const scores = [];
    const score = (key, value) => h("span", { class: "score" }, t(key) + " ", h("b", { text: t("percent", { n: Math.round(value * 100) }) }));
    if (typeof r.wording === "number") scores.push(score("wordingOverlap", r.wording));
    if (typeof r.meaning === "number") scores.push(score("meaningSimilarity", r.meaning));
    article.append(
      h("div", { class: "card-head" },
        h("span", { class: "card-n", "aria-hidden": "true", text: String(index + 1) }),
        h("div", { class: "card-titles" },
          h("h3", { class: "card-citation", id: titleId, dir: "auto" }, r.citation),
          metaChips(r),
          scores.length ? h("p", { class: "scores" }, scores) : null)));

    if (shared.length) {
      article.append(h("div", { class: "compare" },
        h("div", { class: "compare-col" },
          h("h4", { text: t("yourDraft") }),
          h("p", { dir: "auto" }, withSpans(draft, sharedSpans(shared, "draft")))),
        h("div", { class: "compare-col" },
          h("h4", { text: t("existingText") }),
          h("p", { dir: "auto" }, labelled(r.label, withSpans(r.text || "", sharedSpans(shared, "passage")))))));
      const list = h("ul", { class: "shared-list", "aria-label": t("sharedWording") });
      shared.forEach((s, i) => {
        const item = h("li", { class: "shared-item", dataset: { shared: String(i) } },
          h("mark", { class: "shared shared-" + ((i % 4) + 1) }, h("span", { class: "shared-words", dir: "auto", text: "“" + s.text + "”" })),
          usageBadge(Number(s.also_in) || 0));
        // Pointing at a phrase outlines it in both texts.
        const toggle = (on) => article.querySelectorAll('mark[data-shared="' + i + '"]').forEach((m) => m.classList.toggle("is-active", on));
        item.addEventListener("mouseenter", () => toggle(true));
        item.addEventListener("mouseleave", () => toggle(false));
        list.append(item);
      });
      article.append(list);
    } else {
      article.append(
        h("p", { class: "card-text", dir: "auto" }, labelled(r.label, document.createTextNode(r.text || ""))),
        h("p", { class: "no-shared", text: t("noSharedRun") }));
    }
    const same = Array.isArray(r.same_wording) ? r.same_wording : [];
    if (same.length) {
      // Agreed language reused elsewhere: the drafter sees every text that already uses this wording.
      const list = h("ul", { class: "same-list" });
      same.forEach((d) => list.append(h("li", {},
        passageLink(d.id, { class: "same-link", dir: "auto" }, d.citation),
        h("span", { class: "same-dice", text: " · " + t("sameWordingPercent", { n: Math.round(Number(d.dice) * 100) }) }))));
      article.append(h("div", { class: "same-wording" },
        h("h4", { text: t("sameWordingAlso") }), list));
    }
    article.append(h("div", { class: "card-actions" }, contextButton(r.id, r.citation), copyButton(r.citation)));
    return article;
  }

  // ---------------------------------------------------------------------------------------- panel

  const narrow = window.matchMedia("(max-width: 1099px)");

  function showPanel(trigger) {
    const panel = $("panel");
    if (panel.hidden) {
      state.lastFocus = trigger || document.activeElement;
      panel.hidden = false;
      document.body.classList.add("panel-open");
    }
    // On a narrow screen the panel covers the page: make the page inert, like a modal dialog.
    const covers = narrow.matches;
    $("panel-backdrop").hidden = !covers;
    panel.setAttribute("aria-modal", covers ? "true" : "false");
    $("main").inert = covers;
    document.querySelector(".topbar").inert = covers;
  }

  function closePanel() {
    const panel = $("panel");
    if (panel.hidden) return;
    panel.hidden = true;
    $("panel-backdrop").hidden = true;
    document.body.classList.remove("panel-open");
    $("main").inert = false;
    document.querySelector(".topbar").inert = false;
    state.panelHistory = [];
    state.panelView = null;
    state.panelToken += 1;
    if (location.hash.startsWith("#passage=")) history.replaceState(null, "", location.pathname + location.search);
    const back = state.lastFocus;
    state.lastFocus = null;
    if (back && document.contains(back) && typeof back.focus === "function") back.focus();
  }

  function setPanelView(view, push) {
    if (push && state.panelView) state.panelHistory.push(state.panelView);
    state.panelView = view;
    $("panel-back").hidden = state.panelHistory.length === 0;
  }

  function panelBack() {
    const view = state.panelHistory.pop();
    if (view) openView(view, { push: false });
  }

  /** Open a panel view again (Back, or the same view in a newly chosen language). */
  function openView(view, options) {
    if (view.type === "refs") openReferences(view.key, view.label, options);
    else openPassage(view.id, options);
  }

  async function openPassage(id, { trigger = null, push = true, focus = true } = {}) {
    showPanel(trigger);
    setPanelView({ type: "passage", id }, push);
    const token = ++state.panelToken;
    const title = $("panel-title");
    const body = $("panel-body");
    title.textContent = t("panelTitle");
    clear(body).append(loadingBox(t("openingPassage")));
    if (focus) title.focus();
    try {
      const data = await api(passagePath(id));
      if (token !== state.panelToken) return;
      clear(body).append(renderContext(data));
      body.scrollTop = 0;
      announce(t("opened", { citation: data.citation }));
      loadVersions(data, token);
    } catch (err) {
      if (token !== state.panelToken) return;
      clear(body).append(errorBox(err, () => openPassage(id, { push: false })));
    }
  }

  function neighbour(passage, direction) {
    if (!passage) {
      return h("p", { class: "neighbour-none", text: t(direction === "previous" ? "startOfDocument" : "endOfDocument") });
    }
    const words = t(direction);
    return h("button", {
      type: "button",
      class: "neighbour neighbour-" + direction,
      "aria-label": t(direction + "Of", { citation: passage.citation }),
      onclick: () => openPassage(passage.id),
    },
    h("span", { class: "neighbour-dir", "aria-hidden": "true", text: (direction === "previous" ? "↑ " : "↓ ") + words + (passage.label ? " · " + passage.label : "") }),
    h("span", { class: "neighbour-text", dir: "auto", "aria-hidden": "true", text: passage.text || passage.citation }));
  }

  /** A passage's text with its references to other instruments as links (issue 9's ``cites``). */
  function textWithReferences(text, cites) {
    if (!Array.isArray(cites) || !cites.length) return document.createTextNode(text);
    const spans = cites.map((c) => ({
      start: c.start,
      end: c.end,
      wrap: (node) => {
        if (c.target) {
          return passageLink(c.target, {
            class: "ref",
            title: t("openThing", { name: c.target_citation || c.label || c.surface || t("theCitedText") }),
          }, node);
        }
        return h("a", {
          class: "ref ref-external",
          href: "#references=" + encodeURIComponent(c.key),
          title: t("notIndexedRef", { label: c.label || c.surface || t("thisInstrument") }),
          onclick: (event) => { event.preventDefault(); openReferences(c.key, c.label || c.surface); },
        }, node);
      },
    }));
    return withSpans(text, spans);
  }

  function renderContext(p) {
    const frag = document.createDocumentFragment();
    const context = p.context || {};
    const parent = context.parent || {};
    const path = Array.isArray(p.path) ? p.path : [];
    const crumbs = path.filter((heading) => heading !== parent.heading);
    if (crumbs.length) {
      const ol = h("ol", { class: "crumbs", "aria-label": t("whereSits") });
      crumbs.forEach((heading, depth) => {
        const li = h("li", { dir: "auto", text: truncate(heading, 160) });
        li.style.setProperty("--depth", String(Math.min(depth, 4)));
        ol.append(li);
      });
      frag.append(ol);
    }
    if (parent.heading || parent.lead_in) {
      const words = h("span", { class: "parent-text", dir: "auto" });
      if (parent.heading) {
        words.append(parent.passage_id
          ? h("button", { type: "button", class: "btn-link", text: parent.heading, onclick: () => openPassage(parent.passage_id) })
          : document.createTextNode(parent.heading));
      }
      if (parent.lead_in && parent.lead_in !== parent.heading) {
        words.append(h("span", { class: "parent-lead", text: (parent.heading ? " — " : "") + parent.lead_in }));
      }
      frag.append(h("div", { class: "parent" },
        h("span", { class: "parent-heading", text: t(parent.kind === "block" ? "underHeading" : "under") }),
        words));
    }
    frag.append(neighbour(context.previous, "previous"));

    const current = h("section", { class: "current", "aria-labelledby": "current-citation" },
      h("h3", { class: "current-citation", id: "current-citation", dir: "auto", text: p.citation }),
      metaChips(p),
      h("p", { class: "current-text", dir: "auto" }, labelled(p.label, textWithReferences(p.text || "", p.cites))),
      h("div", { class: "card-actions" },
        copyButton(p.citation),
        h("button", {
          type: "button",
          class: "btn btn-small",
          "aria-expanded": "false",
          "aria-controls": "panel-outline",
          text: t("documentOutline"),
          onclick: (event) => toggleOutline(p, event.currentTarget),
        })));
    frag.append(current);
    frag.append(neighbour(context.next, "next"));
    frag.append(h("section", { class: "panel-section", id: "panel-outline", hidden: true, "aria-label": t("outlineOf", { doc: docTitle(p.doc) }) }));

    if (Array.isArray(p.cited_by)) frag.append(citedBySection(p.cited_by));
    frag.append(h("section", { class: "panel-section", id: "panel-versions", hidden: true, "aria-labelledby": "versions-title" }));
    return frag;
  }

  function citingItem(c, { role = true } = {}) {
    const spans = Array.isArray(c.highlights)
      ? c.highlights
      : (Array.isArray(c.cites) ? c.cites : []).map((x) => [x.start, x.end]);
    return h("li", { class: "mini" },
      h("button", { type: "button", class: "btn-link mini-title", dir: "auto", text: c.citation || c.id, onclick: () => openPassage(c.id) }),
      role && c.clause ? h("span", { class: "chip chip-role mini-chip", dir: "auto", text: c.clause }) : null,
      c.text ? h("p", { class: "mini-text", dir: "auto" }, highlighted(c.text, spans)) : null);
  }

  function citedBySection(citedBy) {
    const section = h("section", { class: "panel-section", "aria-labelledby": "cited-by-title" },
      h("h3", { id: "cited-by-title" }, t("citedBy") + " ", h("span", { class: "count", text: "(" + citedBy.length + ")" })));
    if (!citedBy.length) {
      section.append(h("p", { class: "muted", text: t("noCitedBy") }));
      return section;
    }
    const list = h("ul", { class: "plain-list" });
    citedBy.slice(0, CITED_BY_SHOWN).forEach((c) => list.append(citingItem(c)));
    section.append(list);
    if (citedBy.length > CITED_BY_SHOWN) {
      const more = h("button", {
        type: "button",
        class: "btn btn-small",
        text: t("showAll", { n: citedBy.length }),
        onclick: () => {
          citedBy.slice(CITED_BY_SHOWN).forEach((c) => list.append(citingItem(c)));
          more.remove();
        },
      });
      section.append(h("div", { class: "card-actions" }, more));
    }
    return section;
  }

  // Versions: GET /passages/{id}/versions (issue 9). Any failure (a server without the route answers
  // 404) leaves the section hidden: the rest of the panel does not depend on it.
  async function loadVersions(p, token) {
    let data;
    try {
      data = await api(passagePath(p.id) + "/versions");
    } catch (_) {
      return;
    }
    if (token !== state.panelToken) return;
    const section = $("panel-versions");
    if (!section || !data || !Array.isArray(data.versions)) return;
    const versions = data.versions;
    section.append(h("h3", { id: "versions-title" }, t("versions") + " ", h("span", { class: "count", text: "(" + versions.length + ")" })));
    if (data.draft_status === "new") {
      section.append(h("p", { class: "flag flag-new", text: t("flagNew") }));
    } else if (data.draft_status === "gone") {
      section.append(h("p", { class: "flag flag-gone", text: t("flagGone") }));
    }
    if (data.revision && data.revision.description) {
      section.append(h("p", { class: "muted revision", dir: "auto", text: data.revision.description }));
    }
    if (!versions.length) {
      if (!data.draft_status) section.append(h("p", { class: "muted", text: t("noVersions") }));
    } else {
      const list = h("ul", { class: "plain-list" });
      for (const v of versions) list.append(versionItem(p, v));
      section.append(list,
        h("p", { class: "diff diff-legend" },
          h("span", {}, tNodes("legendStruck", { struck: h("del", { text: t("struck") }) })),
          h("span", {}, tNodes("legendUnderlined", { underlined: h("ins", { text: t("underlined") }) }))));
    }
    section.hidden = false;
  }

  const RELATION_WORDS = { earlier: "relEarlier", later: "relLater", counterpart: "relCounterpart" }; // keys of the page's strings
  const docOf = (id) => (typeof id === "string" ? id.split("/")[0] : "");

  function versionItem(asked, v) {
    const other = v.passage || {};
    const relation = RELATION_WORDS[v.relation] ? t(RELATION_WORDS[v.relation]) : v.relation || t("relVersion");
    // Never "100 %" for a text that did change.
    const percent = typeof v.similarity === "number" ? Math.min(Math.round(v.similarity * 100), v.unchanged ? 100 : 99) : null;
    const similarity = percent === null ? "" : " · " + t("wordsShared", { n: percent });
    const askedIsEarlier = v.earlier === asked.id;
    const a = askedIsEarlier ? asked.text : other.text;
    const b = askedIsEarlier ? other.text : asked.text;
    const direction = docTitle(docOf(v.earlier)) + " → " + docTitle(docOf(v.later));
    return h("li", { class: "mini" },
      h("p", { class: "group-title", text: relation + similarity }),
      other.id ? h("button", { type: "button", class: "btn-link mini-title", dir: "auto", text: other.citation || other.id, onclick: () => openPassage(other.id) }) : null,
      v.unchanged
        ? h("p", { class: "muted", text: t("sameWordForWord", { direction }) })
        : Array.isArray(v.diff)
          ? [h("p", { class: "diff-caption", text: t("changes", { direction }) }),
            h("p", { class: "diff", dir: "auto" }, renderDiff(v.diff, a, b))]
          : null);
  }

  /**
   * A word diff (ops equal/insert/delete from the earlier text a to the later b) as text with <ins> and
   * <del>. The runs carry no spacing, so the gaps are taken from the two texts where they are known.
   */
  function renderDiff(ops, a, b) {
    const frag = document.createDocumentFragment();
    const spaceIn = (text, from, span) => (typeof text === "string" && Array.isArray(span) ? /\s/.test(text.slice(from, span[0])) : null);
    let lastA = 0;
    let lastB = 0;
    let previous = null;
    ops.forEach((op, i) => {
      const kind = op.op || op.tag;
      // The gap before a run lies in the text the previous run came from: a after a deletion, else b.
      let gap;
      if (kind === "delete") gap = spaceIn(a, lastA, op.a);
      else if (kind === "equal" && previous === "delete") gap = spaceIn(a, lastA, op.a);
      else gap = spaceIn(b, lastB, op.b);
      if (gap === null) gap = i > 0;
      if (kind === "insert" && previous === "delete") gap = true; // a replacement: keep the two apart
      if (gap && i > 0) frag.append(document.createTextNode(" "));
      const text = op.text || "";
      if (kind === "insert") frag.append(h("ins", { text }));
      else if (kind === "delete") frag.append(h("del", { text }));
      else frag.append(document.createTextNode(text));
      if (Array.isArray(op.a)) lastA = op.a[1];
      if (Array.isArray(op.b)) lastB = op.b[1];
      previous = kind;
    });
    return frag;
  }

  // References: GET /references?target=KEY (issue 9), grouped by document and clause role.
  async function openReferences(key, label, { push = true, focus = true } = {}) {
    showPanel(null);
    setPanelView({ type: "refs", key, label }, push);
    const token = ++state.panelToken;
    const title = $("panel-title");
    const body = $("panel-body");
    title.textContent = t("refsTitle", { label: label || key });
    clear(body).append(loadingBox(t("findingRefs")));
    if (focus) title.focus();
    try {
      const data = await api("/references?target=" + encodeURIComponent(key));
      if (token !== state.panelToken) return;
      clear(body).append(renderReferences(data, label || key));
    } catch (err) {
      if (token !== state.panelToken) return;
      if (err instanceof ApiError && err.status === 404) {
        clear(body).append(h("div", { class: "empty" },
          h("strong", { text: t("refNotIndexed", { label: label || key }) }),
          t("refsUnavailable")));
      } else {
        clear(body).append(errorBox(err, () => openReferences(key, label, { push: false })));
      }
    }
  }

  function renderReferences(data, label) {
    const frag = document.createDocumentFragment();
    const groups = Array.isArray(data.groups) ? data.groups : [];
    const count = typeof data.count === "number" ? data.count : groups.reduce((n, g) => n + (g.passages || []).length, 0);
    frag.append(h("p", { class: "muted", text: tn("citedByCount", count, { label: data.label || label }) }));
    if (Array.isArray(data.targets) && data.targets.length) {
      frag.append(h("div", { class: "card-actions" },
        h("button", { type: "button", class: "btn btn-small", text: t("openThing", { name: data.label || label }), onclick: () => openPassage(data.targets[0]) })));
    }
    for (const g of groups) {
      const passages = Array.isArray(g.passages) ? g.passages : [];
      const list = h("ul", { class: "plain-list" });
      passages.forEach((c) => list.append(citingItem(c, { role: false })));
      frag.append(h("section", { class: "panel-section" },
        h("h3", {}, h("span", { dir: "auto", text: (g.doc_title || docTitle(g.doc)) + " · " + (g.role || "") }), " ", h("span", { class: "count", text: "(" + passages.length + ")" })),
        list));
    }
    return frag;
  }

  // Outline: GET /documents/{doc}/outline, drawn lazily (the WTDC-25 report has thousands of nodes).
  async function toggleOutline(p, button) {
    const section = $("panel-outline");
    if (!section) return;
    const open = section.hidden;
    section.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (!open || section.dataset.loaded) {
      if (open) section.scrollIntoView({ block: "start", behavior: scrollBehavior() });
      return;
    }
    clear(section).append(h("h3", { text: t("outlineTitle", { doc: docTitle(p.doc) }) }), loadingBox(t("loadingOutline")));
    let promise = state.outlines.get(p.doc);
    if (!promise) {
      promise = api("/documents/" + encodeURIComponent(p.doc) + "/outline");
      state.outlines.set(p.doc, promise);
      promise.catch(() => state.outlines.delete(p.doc));
    }
    try {
      const data = await promise;
      const trail = pathTo(data.outline, p.id) || [];
      const tree = h("div", { class: "outline" }, outlineList(data.outline.children || [], new Set(trail), p.id));
      section.lastChild.replaceWith(tree);
      section.dataset.loaded = "1";
      const here = tree.querySelector(".is-current");
      (here || section).scrollIntoView({ block: "center", behavior: scrollBehavior() });
    } catch (err) {
      section.lastChild.replaceWith(errorBox(err, null));
    }
  }

  function pathTo(node, id) {
    if (node.passage_id === id) return [node];
    for (const child of node.children || []) {
      const trail = pathTo(child, id);
      if (trail) return [node, ...trail];
    }
    return null;
  }

  function outlineList(nodes, openSet, currentId) {
    const ul = h("ul", {});
    for (const node of nodes) {
      const li = h("li", { class: node.passage_id === currentId ? "is-current" : null });
      const title = truncate(node.title || node.kind || "", 140);
      const children = node.children || [];
      if (!children.length) {
        li.append(node.passage_id
          ? h("button", {
            type: "button",
            class: "btn-link",
            dir: "auto",
            "aria-current": node.passage_id === currentId ? "true" : null,
            text: title,
            onclick: () => openPassage(node.passage_id),
          })
          : h("span", { dir: "auto", text: title }));
      } else {
        const details = h("details", {}, h("summary", { dir: "auto", text: title }));
        const fill = () => {
          if (details.dataset.filled) return;
          details.dataset.filled = "1";
          const inner = outlineList(children, openSet, currentId);
          if (node.passage_id) {
            inner.prepend(h("li", { class: node.passage_id === currentId ? "is-current" : null },
              h("button", { type: "button", class: "btn-link", dir: "auto", text: t("openThing", { name: title }), onclick: () => openPassage(node.passage_id) })));
          }
          details.append(inner);
        };
        details.addEventListener("toggle", () => { if (details.open) fill(); });
        if (openSet.has(node)) {
          fill();
          details.open = true;
        }
        li.append(details);
      }
      ul.append(li);
    }
    return ul;
  }

  // ----------------------------------------------------------------------------------- set-up

  // The roles are the documents' own words (as on the cards' chips and in the passages), so they are not
  // translated; the groups' names are the page's.
  function fillRoleSelect(select) {
    const groups = [["rolesPreambular", PREAMBULAR_ROLES], ["rolesOperative", OPERATIVE_ROLES], ["rolesOther", OTHER_ROLES]];
    for (const [key, roles] of groups) {
      const group = h("optgroup", { label: t(key), "data-i18n-label": key });
      for (const role of roles) group.append(h("option", { value: role, lang: "en", text: role }));
      select.append(group);
    }
  }

  async function loadDocuments() {
    try {
      const data = await api("/documents");
      const docs = Array.isArray(data.documents) ? data.documents : [];
      for (const doc of docs) state.documents.set(doc.id, doc);
      for (const select of [$("ask-doc"), $("precedent-doc")]) {
        for (const doc of docs) select.append(h("option", { value: doc.id, text: doc.short_title || doc.id }));
      }
    } catch (_) {
      // The filters stay on "All documents"; the first question shows what is wrong with the service.
    }
  }

  function selectTab(tab, { focus = false } = {}) {
    for (const other of document.querySelectorAll('[role="tab"]')) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      $(other.getAttribute("aria-controls")).hidden = !selected;
    }
    if (focus) tab.focus();
  }

  function setUpTabs() {
    const tabs = [...document.querySelectorAll('[role="tab"]')];
    tabs.forEach((tab, i) => {
      tab.addEventListener("click", () => {
        selectTab(tab);
        history.replaceState(null, "", tab.id === "tab-precedent" ? "#precedents" : location.pathname + location.search);
      });
      tab.addEventListener("keydown", (event) => {
        // The arrow pointing along the reading direction goes to the next tab (leftwards in Arabic).
        const forward = isRightToLeft() ? "ArrowLeft" : "ArrowRight";
        const backward = isRightToLeft() ? "ArrowRight" : "ArrowLeft";
        let next = null;
        if (event.key === forward) next = tabs[(i + 1) % tabs.length];
        else if (event.key === backward) next = tabs[(i - 1 + tabs.length) % tabs.length];
        else if (event.key === "Home") next = tabs[0];
        else if (event.key === "End") next = tabs[tabs.length - 1];
        if (next) {
          event.preventDefault();
          selectTab(next, { focus: true });
        }
      });
    });
  }

  function autoGrow(area) {
    area.style.height = "auto";
    area.style.height = Math.min(area.scrollHeight + 2, 192) + "px";
  }

  function setUpAsk() {
    const form = $("ask-form");
    const area = $("question");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (state.busy) return;
      const question = area.value;
      if (!question.trim()) {
        area.focus();
        announce(t("typeQuestionFirst"));
        return;
      }
      area.value = "";
      autoGrow(area);
      askQuestion(question);
    });
    area.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    area.addEventListener("input", () => autoGrow(area));
    for (const button of document.querySelectorAll(".example")) {
      button.addEventListener("click", () => {
        askQuestion(button.textContent);
        area.focus();
      });
    }
  }

  // ------------------------------------------------------------------------------- index notice

  const INDEX_CHECK_MS = 10000;

  /** The quiet notice while the interim index answers: /healthz now, then every 10 s until the full
   * index serves (a first start builds it in the background); then it goes and the checks stop. */
  async function watchIndex() {
    let interim = false;
    try {
      const health = await api("/healthz");
      interim = Boolean(health.index && health.index.interim);
    } catch (_) {
      interim = false; // no index yet or the server is away: the error shows where it matters
    }
    $("index-notice").hidden = !interim;
    if (interim) window.setTimeout(watchIndex, INDEX_CHECK_MS);
  }

  function start() {
    setLanguage(preferredLanguage());
    $("language").addEventListener("change", (event) => setLanguage(event.target.value, { remember: true }));
    fillRoleSelect($("ask-role"));
    fillRoleSelect($("precedent-role"));
    setUpTabs();
    setUpAsk();
    $("precedent-form").addEventListener("submit", findPrecedents);
    $("draft").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        $("precedent-form").requestSubmit();
      }
    });
    $("panel-close").addEventListener("click", closePanel);
    $("panel-back").addEventListener("click", panelBack);
    $("panel-backdrop").addEventListener("click", closePanel);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !$("panel").hidden) {
        event.preventDefault();
        closePanel();
      }
    });
    narrow.addEventListener("change", () => { if (!$("panel").hidden) showPanel(null); });
    loadDocuments();
    watchIndex();

    // Links into the page: #precedents, #passage=ID (a shared link to a passage), ?q=question.
    const followHash = () => {
      if (location.hash === "#precedents") selectTab($("tab-precedent"));
      if (location.hash.startsWith("#passage=")) openPassage(decodeURIComponent(location.hash.slice(9)), { push: false });
    };
    window.addEventListener("hashchange", followHash);
    followHash();
    const params = new URLSearchParams(location.search);
    if (params.get("q")) askQuestion(params.get("q"));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
