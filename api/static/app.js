/*
 * The chat page and precedent finder for ITU policy texts.
 *
 * Plain JavaScript, no dependencies, nothing fetched from outside this server. Every piece of text that
 * comes from the API or the user is put on the page as a text node (textContent, createTextNode), never
 * parsed as HTML, so a question or a passage can never run code. The API contract is issue 4 (/ask,
 * /search, /precedents, /passages, /documents); the citator surfaces of issue 9 (cites, cited_by,
 * /references, /passages/{id}/versions) are used when the server has them and left out when not.
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

  // ------------------------------------------------------------------------------------------ API

  class ApiError extends Error {
    constructor(title, detail, hint, status, code) {
      super(title);
      this.title = title;
      this.detail = detail;
      this.hint = hint;
      this.status = status;
      this.code = code;
    }
  }

  /** "no usable index is loaded" -> "No usable index is loaded." */
  function sentence(text) {
    const t = (text || "").trim();
    if (!t) return "";
    return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?…:)]$/.test(t) ? "" : ".");
  }

  /** Plain words for an API failure; the API's own message and hint (issue 4's error body) follow. */
  function describeFailure(status, error) {
    const message = sentence(error && typeof error.message === "string" ? error.message : "");
    const hint = sentence(error && typeof error.hint === "string" ? error.hint : "");
    if (status === 401 || status === 403) return ["This server did not allow the request.", message, hint];
    if (status === 404) return ["That was not found.", message, hint];
    if (status === 413) return ["That text is too long to send.", message, hint || "Shorten it and try again."];
    if (status === 422 || status === 400) return ["The request was not accepted.", message, hint];
    if (status === 429) return ["Too many requests at once.", message, hint || "Wait a moment, then try again."];
    if (status === 503) {
      return ["The service is not ready yet.", message, hint || "The search index is still loading. Try again in a minute."];
    }
    if (status >= 500) {
      return ["Something went wrong on the server.", "", "Please try again in a moment. If it keeps happening, tell the organisers."];
    }
    return ["The request failed.", message, hint];
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
      throw new ApiError("The server could not be reached.", "", "Check the network connection, then try again.", 0, "network");
    }
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (!response.ok) {
      const error = data && typeof data.error === "object" ? data.error : null;
      const [title, detail, hint] = describeFailure(response.status, error);
      throw new ApiError(title, detail, hint, response.status, error ? error.code : "http_" + response.status);
    }
    if (data === null) throw new ApiError("The server sent an answer this page cannot read.", "", "Reload the page and try again.", response.status, "bad_body");
    return data;
  }

  const passagePath = (id) => "/passages/" + id.split("/").map(encodeURIComponent).join("/");

  function errorBox(err, retry) {
    const e = err instanceof ApiError ? err : new ApiError("Something went wrong on this page.", String(err && err.message || err), "Reload the page and try again.", 0, "client");
    return h("div", { class: "error", role: "alert" },
      h("p", { class: "error-title", text: e.title }),
      e.detail ? h("p", { text: e.detail }) : null,
      e.hint ? h("p", { text: e.hint }) : null,
      retry ? h("button", { type: "button", class: "btn btn-small", onclick: retry, text: "Try again" }) : null);
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
    const label = "Copy citation";
    const button = h("button", {
      type: "button",
      class: small ? "btn btn-small" : "btn",
      "aria-label": "Copy citation: " + citation,
      text: label,
    });
    button.addEventListener("click", async () => {
      const ok = await copyText(citation);
      if (ok) {
        button.textContent = "Copied ✓";
        button.classList.add("is-done");
        announce("Citation copied: " + citation);
        window.setTimeout(() => {
          button.textContent = label;
          button.classList.remove("is-done");
        }, 2000);
      } else {
        toast("Copying is blocked here. Select the citation and copy it by hand.");
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
      h("span", { class: "chip chip-doc", text: docTitle(result.doc) }),
      result.clause ? h("span", { class: "chip chip-role", text: result.clause }) : null,
      !result.clause && result.kind ? h("span", { class: "chip", text: result.kind }) : null);
  }

  function labelled(label, body) {
    return [label ? h("span", { class: "card-label", text: label }) : null, body];
  }

  function contextButton(id, citation) {
    return h("button", {
      type: "button",
      class: "btn btn-small",
      "aria-label": "Show in context: " + citation,
      text: "Show in context",
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
          h("h3", { class: "card-citation", id: titleId },
            n !== null ? h("span", { class: "visually-hidden", text: "Source " + n + ": " }) : null,
            result.citation),
          metaChips(result))),
      subtitle ? h("p", { class: "card-lead", text: subtitle }) : null,
      h("p", { class: "card-text" }, labelled(result.label, highlighted(result.text, result.highlights))),
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
    if (filters.doc) parts.push("in " + filters.doc.map(docTitle).join(", "));
    if (filters.clause) parts.push("“" + filters.clause.join(", ") + "” clauses only");
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
    const meta = filterWords(filters);
    const turn = h("li", { class: "turn", id: turnId, "aria-labelledby": turnId + "-q" },
      h("h2", { class: "question", id: turnId + "-q" },
        h("span", { class: "visually-hidden", text: "You asked: " }),
        text,
        meta ? h("span", { class: "question-meta", text: meta }) : null),
      body);
    $("conversation").append(turn);
    turn.scrollIntoView({ block: "start", behavior: scrollBehavior() });
    runAsk(turnId, body, text, filters);
  }

  async function runAsk(turnId, body, question, filters) {
    if (state.busy) return;
    state.busy = true;
    $("ask-submit").disabled = true;
    clear(body).append(h("div", { class: "loading", "aria-hidden": "false" },
      h("span", { class: "spinner", "aria-hidden": "true" }),
      h("span", { text: "Searching the texts…" })));
    body.setAttribute("aria-busy", "true");
    announce("Searching the texts…");
    try {
      const data = await api("/ask", { method: "POST", body: { question, k: ASK_K, filters } });
      clear(body).append(renderAnswer(turnId, data));
      const cited = Array.isArray(data.citations) ? data.citations.length : 0;
      if (data.answer) {
        announce("Answer: " + data.answer + (cited ? " " + cited + (cited === 1 ? " cited passage" : " cited passages") + " below." : ""));
      } else {
        announce(Array.isArray(data.results) && data.results.length ? "No direct answer; the closest passages are below." : "Nothing in the texts matches this question.");
      }
    } catch (err) {
      clear(body).append(errorBox(err, () => runAsk(turnId, body, question, filters)));
      announce("The question could not be answered. " + (err.title || ""));
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

    if (!results.length) {
      frag.append(h("div", { class: "empty" },
        h("strong", { text: "Nothing in the texts matches this question." }),
        "Try other words, a reference such as “Resolution 15”, or remove the filters."));
      return frag;
    }

    const cardId = (n) => turnId + "-source-" + n;
    const known = new Map(citations.filter((c) => byId.has(c.id)).map((c) => [Number(c.n), c]));
    const corrections = Array.isArray(data.corrections) ? data.corrections : [];
    if (corrections.length) {
      // misspelt words were read as corpus words: say so, as a search engine does
      const read = h("p", { class: "spelling-note" }, "Searched for ");
      corrections.forEach((c, i) => {
        if (i) read.append(", ");
        read.append(h("strong", { text: c.corrected }), " (you typed “" + c.typed + "”)");
      });
      frag.append(read);
    }

    const answer = h("section", { class: "answer", "aria-label": "Answer" });
    const byLlm = data.answered_by === "llm";
    answer.append(h("p", { class: "answer-label", text: byLlm ? "Answer, composed from the passages below" : "Answer, quoted from the texts" }));
    if (data.answer && !byLlm) {
      // Extractive: one quoted sentence per [n] group reads better as a list than as one run-on paragraph.
      const list = h("ul", { class: "answer-quotes" });
      for (const piece of splitAtMarkers(data.answer)) {
        list.append(h("li", {}, answerWithMarkers(piece, known, cardId)));
      }
      answer.append(list);
    } else if (data.answer) {
      answer.append(h("p", { class: "answer-text" }, answerWithMarkers(data.answer, known, cardId)));
    } else {
      answer.append(h("p", { class: "answer-text", text: "No sentence answers this directly. These are the closest passages." }));
    }
    if (data.notice) answer.append(h("p", { class: "answer-notice", text: data.notice }));
    frag.append(answer);

    const citedIds = new Set();
    const cards = h("ol", { class: "cards", "aria-label": "Cited passages" });
    for (const [n, citation] of [...known.entries()].sort((a, b) => a[0] - b[0])) {
      citedIds.add(citation.id);
      cards.append(resultCard(byId.get(citation.id), { n, cardId: cardId(n) }));
    }
    if (cards.childElementCount) {
      frag.append(h("h3", { class: "sources-title", text: "Sources" }), cards);
    }

    const rest = results.filter((r) => !citedIds.has(r.id));
    if (rest.length) {
      const list = h("ul", { class: "cards", "aria-label": "Other passages retrieved" });
      for (const r of rest) list.append(resultCard(r, { more: true }));
      const details = h("details", { class: "more-results" },
        h("summary", { text: rest.length + (rest.length === 1 ? " more passage retrieved" : " more passages retrieved") }),
        list);
      if (!cards.childElementCount) details.open = true;
      frag.append(details);
    }
    return frag;
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
          "aria-label": "source " + n + ": " + citation.citation,
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
      clear(out).append(h("div", { class: "error", role: "alert" },
        h("p", { class: "error-title", text: "Paste a draft clause first." }),
        h("p", { text: "The finder compares your draft with every clause of the indexed texts." })));
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
    clear(out).append(loadingBox("Looking for clauses with similar wording…"));
    try {
      const data = await api("/precedents", { method: "POST", body });
      clear(out).append(renderPrecedents(draft, data));
      const n = Array.isArray(data.results) ? data.results.length : 0;
      announce(n ? n + " existing clauses found. The closest is " + data.results[0].citation + "." : "No similar clause found.");
    } catch (err) {
      clear(out).append(errorBox(err, () => findPrecedents()));
    } finally {
      out.setAttribute("aria-busy", "false");
      button.disabled = false;
    }
  }

  function usageBadge(alsoIn) {
    if (alsoIn > 0) {
      return h("span", { class: "usage usage-agreed", text: "agreed language used in " + alsoIn + (alsoIn === 1 ? " other text" : " other texts") });
    }
    return h("span", { class: "usage usage-unique", text: "unique to this text" });
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
        h("strong", { text: "No similar clause found." }),
        "Try a longer extract of the draft, or remove the role and document filters."));
      return frag;
    }
    let summary = results.length + (results.length === 1 ? " existing clause" : " existing clauses") + ", closest first";
    if (data.clause) {
      summary += data.clause_source === "detected"
        ? " · “" + data.clause + "” clauses first (detected from your draft)"
        : " · “" + data.clause + "” clauses first";
    }
    frag.append(h("h2", { class: "visually-hidden", text: "Closest existing clauses" }),
      h("p", { class: "precedent-summary", text: summary + "." }));
    results.forEach((r, index) => frag.append(precedentCard(draft, r, index)));
    return frag;
  }

  function precedentCard(draft, r, index) {
    const shared = Array.isArray(r.shared) ? r.shared : [];
    const titleId = "precedent-" + index + "-title";
    const article = h("article", { class: "precedent", "aria-labelledby": titleId });
    const scores = [];
    if (typeof r.wording === "number") scores.push(h("span", { class: "score" }, "Wording overlap ", h("b", { text: Math.round(r.wording * 100) + "%" })));
    if (typeof r.meaning === "number") scores.push(h("span", { class: "score" }, "Meaning similarity ", h("b", { text: Math.round(r.meaning * 100) + "%" })));
    article.append(
      h("div", { class: "card-head" },
        h("span", { class: "card-n", "aria-hidden": "true", text: String(index + 1) }),
        h("div", { class: "card-titles" },
          h("h3", { class: "card-citation", id: titleId }, r.citation),
          metaChips(r),
          scores.length ? h("p", { class: "scores" }, scores) : null)));

    if (shared.length) {
      article.append(h("div", { class: "compare" },
        h("div", { class: "compare-col" },
          h("h4", { text: "Your draft" }),
          h("p", {}, withSpans(draft, sharedSpans(shared, "draft")))),
        h("div", { class: "compare-col" },
          h("h4", { text: "Existing text" }),
          h("p", {}, labelled(r.label, withSpans(r.text || "", sharedSpans(shared, "passage")))))));
      const list = h("ul", { class: "shared-list", "aria-label": "Shared wording" });
      shared.forEach((s, i) => {
        const item = h("li", { class: "shared-item", dataset: { shared: String(i) } },
          h("mark", { class: "shared shared-" + ((i % 4) + 1) }, h("span", { class: "shared-words", text: "“" + s.text + "”" })),
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
        h("p", { class: "card-text" }, labelled(r.label, document.createTextNode(r.text || ""))),
        h("p", { class: "no-shared", text: "No run of three or more words in common with your draft: close in meaning only." }));
    }
    const same = Array.isArray(r.same_wording) ? r.same_wording : [];
    if (same.length) {
      // Agreed language reused elsewhere: the drafter sees every text that already uses this wording.
      const list = h("ul", { class: "same-list" });
      same.forEach((d) => list.append(h("li", {},
        passageLink(d.id, { class: "same-link" }, d.citation),
        h("span", { class: "same-dice", text: " · " + Math.round(Number(d.dice) * 100) + "% same wording" }))));
      article.append(h("div", { class: "same-wording" },
        h("h4", { text: "The same wording is also in" }), list));
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
    if (!view) return;
    if (view.type === "refs") openReferences(view.key, view.label, { push: false });
    else openPassage(view.id, { push: false });
  }

  async function openPassage(id, { trigger = null, push = true } = {}) {
    showPanel(trigger);
    setPanelView({ type: "passage", id }, push);
    const token = ++state.panelToken;
    const title = $("panel-title");
    const body = $("panel-body");
    title.textContent = "Passage in context";
    clear(body).append(loadingBox("Opening the passage…"));
    title.focus();
    try {
      const data = await api(passagePath(id));
      if (token !== state.panelToken) return;
      clear(body).append(renderContext(data));
      body.scrollTop = 0;
      announce("Opened " + data.citation);
      loadVersions(data, token);
    } catch (err) {
      if (token !== state.panelToken) return;
      clear(body).append(errorBox(err, () => openPassage(id, { push: false })));
    }
  }

  function neighbour(passage, direction) {
    if (!passage) {
      return h("p", { class: "neighbour-none", text: direction === "previous" ? "Start of the document." : "End of the document." });
    }
    const words = direction === "previous" ? "Previous" : "Next";
    return h("button", {
      type: "button",
      class: "neighbour neighbour-" + direction,
      "aria-label": words + ": " + passage.citation,
      onclick: () => openPassage(passage.id),
    },
    h("span", { class: "neighbour-dir", "aria-hidden": "true", text: (direction === "previous" ? "↑ " : "↓ ") + words + (passage.label ? " · " + passage.label : "") }),
    h("span", { class: "neighbour-text", "aria-hidden": "true", text: passage.text || passage.citation }));
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
            title: "Open " + (c.target_citation || c.label || c.surface || "the cited text"),
          }, node);
        }
        return h("a", {
          class: "ref ref-external",
          href: "#references=" + encodeURIComponent(c.key),
          title: (c.label || c.surface || "This instrument") + " is not in the indexed texts: show the passages that cite it",
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
      const ol = h("ol", { class: "crumbs", "aria-label": "Where this passage sits" });
      crumbs.forEach((heading, depth) => {
        const li = h("li", { text: truncate(heading, 160) });
        li.style.setProperty("--depth", String(Math.min(depth, 4)));
        ol.append(li);
      });
      frag.append(ol);
    }
    if (parent.heading || parent.lead_in) {
      const box = h("div", { class: "parent" },
        h("span", { class: "parent-heading", text: parent.kind === "block" ? "Under the heading" : "Under" }));
      if (parent.heading) {
        box.append(parent.passage_id
          ? h("button", { type: "button", class: "btn-link", text: parent.heading, onclick: () => openPassage(parent.passage_id) })
          : document.createTextNode(parent.heading));
      }
      if (parent.lead_in && parent.lead_in !== parent.heading) {
        box.append(h("span", { class: "parent-lead", text: (parent.heading ? " — " : "") + parent.lead_in }));
      }
      frag.append(box);
    }
    frag.append(neighbour(context.previous, "previous"));

    const current = h("section", { class: "current", "aria-labelledby": "current-citation" },
      h("h3", { class: "current-citation", id: "current-citation", text: p.citation }),
      metaChips(p),
      h("p", { class: "current-text" }, labelled(p.label, textWithReferences(p.text || "", p.cites))),
      h("div", { class: "card-actions" },
        copyButton(p.citation),
        h("button", {
          type: "button",
          class: "btn btn-small",
          "aria-expanded": "false",
          "aria-controls": "panel-outline",
          text: "Document outline",
          onclick: (event) => toggleOutline(p, event.currentTarget),
        })));
    frag.append(current);
    frag.append(neighbour(context.next, "next"));
    frag.append(h("section", { class: "panel-section", id: "panel-outline", hidden: true, "aria-label": "Outline of " + docTitle(p.doc) }));

    if (Array.isArray(p.cited_by)) frag.append(citedBySection(p.cited_by));
    frag.append(h("section", { class: "panel-section", id: "panel-versions", hidden: true, "aria-labelledby": "versions-title" }));
    return frag;
  }

  function citingItem(c, { role = true } = {}) {
    const spans = Array.isArray(c.highlights)
      ? c.highlights
      : (Array.isArray(c.cites) ? c.cites : []).map((x) => [x.start, x.end]);
    return h("li", { class: "mini" },
      h("button", { type: "button", class: "btn-link mini-title", text: c.citation || c.id, onclick: () => openPassage(c.id) }),
      role && c.clause ? h("span", { class: "chip chip-role mini-chip", text: c.clause }) : null,
      c.text ? h("p", { class: "mini-text" }, highlighted(c.text, spans)) : null);
  }

  function citedBySection(citedBy) {
    const section = h("section", { class: "panel-section", "aria-labelledby": "cited-by-title" },
      h("h3", { id: "cited-by-title" }, "Cited by ", h("span", { class: "count", text: "(" + citedBy.length + ")" })));
    if (!citedBy.length) {
      section.append(h("p", { class: "muted", text: "No passage of the indexed texts cites this one or its instrument." }));
      return section;
    }
    const list = h("ul", { class: "plain-list" });
    citedBy.slice(0, CITED_BY_SHOWN).forEach((c) => list.append(citingItem(c)));
    section.append(list);
    if (citedBy.length > CITED_BY_SHOWN) {
      const more = h("button", {
        type: "button",
        class: "btn btn-small",
        text: "Show all " + citedBy.length,
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
    section.append(h("h3", { id: "versions-title" }, "Versions ", h("span", { class: "count", text: "(" + versions.length + ")" })));
    if (data.draft_status === "new") {
      section.append(h("p", { class: "flag flag-new", text: "New: not in the earlier draft of this text." }));
    } else if (data.draft_status === "gone") {
      section.append(h("p", { class: "flag flag-gone", text: "Dropped: not in the later version of this text." }));
    }
    if (data.revision && data.revision.description) {
      section.append(h("p", { class: "muted revision", text: data.revision.description }));
    }
    if (!versions.length) {
      if (!data.draft_status) {
        section.append(h("p", { class: "muted", text: "No earlier, later or counterpart version of this passage in the indexed texts." }));
      }
    } else {
      const list = h("ul", { class: "plain-list" });
      for (const v of versions) list.append(versionItem(p, v));
      section.append(list,
        h("p", { class: "diff diff-legend" },
          h("span", {}, h("del", { text: "struck" }), " only in the earlier text"),
          h("span", {}, h("ins", { text: "underlined" }), " added in the later one")));
    }
    section.hidden = false;
  }

  const RELATION_WORDS = { earlier: "Earlier draft", later: "Later version", counterpart: "Counterpart in another forum" };
  const docOf = (id) => (typeof id === "string" ? id.split("/")[0] : "");

  function versionItem(asked, v) {
    const other = v.passage || {};
    const relation = RELATION_WORDS[v.relation] || v.relation || "Version";
    // Never "100 %" for a text that did change.
    const percent = typeof v.similarity === "number" ? Math.min(Math.round(v.similarity * 100), v.unchanged ? 100 : 99) : null;
    const similarity = percent === null ? "" : " · " + percent + "% of words shared";
    const askedIsEarlier = v.earlier === asked.id;
    const a = askedIsEarlier ? asked.text : other.text;
    const b = askedIsEarlier ? other.text : asked.text;
    const direction = docTitle(docOf(v.earlier)) + " → " + docTitle(docOf(v.later));
    return h("li", { class: "mini" },
      h("p", { class: "group-title", text: relation + similarity }),
      other.id ? h("button", { type: "button", class: "btn-link mini-title", text: other.citation || other.id, onclick: () => openPassage(other.id) }) : null,
      v.unchanged
        ? h("p", { class: "muted", text: "Word for word the same (" + direction + ")." })
        : Array.isArray(v.diff)
          ? [h("p", { class: "diff-caption", text: "Changes, " + direction }),
            h("p", { class: "diff" }, renderDiff(v.diff, a, b))]
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
  async function openReferences(key, label, { push = true } = {}) {
    showPanel(null);
    setPanelView({ type: "refs", key, label }, push);
    const token = ++state.panelToken;
    const title = $("panel-title");
    const body = $("panel-body");
    title.textContent = "Passages citing " + (label || key);
    clear(body).append(loadingBox("Finding the passages that cite it…"));
    title.focus();
    try {
      const data = await api("/references?target=" + encodeURIComponent(key));
      if (token !== state.panelToken) return;
      clear(body).append(renderReferences(data, label || key));
    } catch (err) {
      if (token !== state.panelToken) return;
      if (err instanceof ApiError && err.status === 404) {
        clear(body).append(h("div", { class: "empty" },
          h("strong", { text: (label || key) + " is not in the indexed texts." }),
          "Cross-references are not available for it on this server."));
      } else {
        clear(body).append(errorBox(err, () => openReferences(key, label, { push: false })));
      }
    }
  }

  function renderReferences(data, label) {
    const frag = document.createDocumentFragment();
    const groups = Array.isArray(data.groups) ? data.groups : [];
    const count = typeof data.count === "number" ? data.count : groups.reduce((n, g) => n + (g.passages || []).length, 0);
    frag.append(h("p", { class: "muted", text: (data.label || label) + ": cited by " + count + (count === 1 ? " passage" : " passages") + " of the indexed texts." }));
    if (Array.isArray(data.targets) && data.targets.length) {
      frag.append(h("div", { class: "card-actions" },
        h("button", { type: "button", class: "btn btn-small", text: "Open " + (data.label || label), onclick: () => openPassage(data.targets[0]) })));
    }
    for (const g of groups) {
      const passages = Array.isArray(g.passages) ? g.passages : [];
      const list = h("ul", { class: "plain-list" });
      passages.forEach((c) => list.append(citingItem(c, { role: false })));
      frag.append(h("section", { class: "panel-section" },
        h("h3", {}, (g.doc_title || docTitle(g.doc)) + " · " + (g.role || ""), " ", h("span", { class: "count", text: "(" + passages.length + ")" })),
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
    clear(section).append(h("h3", { text: "Outline · " + docTitle(p.doc) }), loadingBox("Loading the outline…"));
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
            "aria-current": node.passage_id === currentId ? "true" : null,
            text: title,
            onclick: () => openPassage(node.passage_id),
          })
          : h("span", { text: title }));
      } else {
        const details = h("details", {}, h("summary", { text: title }));
        const fill = () => {
          if (details.dataset.filled) return;
          details.dataset.filled = "1";
          const inner = outlineList(children, openSet, currentId);
          if (node.passage_id) {
            inner.prepend(h("li", { class: node.passage_id === currentId ? "is-current" : null },
              h("button", { type: "button", class: "btn-link", text: "Open " + title, onclick: () => openPassage(node.passage_id) })));
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

  function fillRoleSelect(select) {
    const groups = [["Preambular", PREAMBULAR_ROLES], ["Operative", OPERATIVE_ROLES], ["Other", OTHER_ROLES]];
    for (const [label, roles] of groups) {
      const group = h("optgroup", { label });
      for (const role of roles) group.append(h("option", { value: role, text: role }));
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
        let next = null;
        if (event.key === "ArrowRight") next = tabs[(i + 1) % tabs.length];
        else if (event.key === "ArrowLeft") next = tabs[(i - 1 + tabs.length) % tabs.length];
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
        announce("Type a question first.");
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

  function start() {
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
