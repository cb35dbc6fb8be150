/* Shared by every console page: configuration, messages, the console API, safe DOM building.
   Values from a verification are only ever set as textContent, never parsed as markup. */
"use strict";

const Console = (() => {
  const config = JSON.parse(document.getElementById("console-config").textContent);
  const lang = config.lang;

  function t(key) {
    return config.messages[key] || key;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  async function api(method, path, body) {
    const headers = { "Accept": "application/json" };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      headers["X-CSRF-Token"] = config.csrf;
    }
    const response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin", cache: "no-store",
    });
    if (response.status === 401) {
      window.location.assign("/console/sign-in?expired=1&lang=" + encodeURIComponent(lang));
      throw new Error("signed out");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(data.detail || t("error"));
      error.code = data.code || "http_" + response.status;
      throw error;
    }
    return data;
  }

  function pick(text) {
    if (text && typeof text === "object") return text[lang] || text.ko || text.en || "";
    return text;
  }

  function when(value) {
    if (value === null || value === undefined || value === "") return "";
    const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
    if (Number.isNaN(date.getTime())) return String(value);
    const pad = (n) => String(n).padStart(2, "0");
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }

  function plain(value) {
    if (value === true) return lang === "ko" ? "예" : "Yes";
    if (value === false) return lang === "ko" ? "아니요" : "No";
    if (value === null || value === undefined) return "—";
    return String(value);
  }

  /* Claims as a definition list; labels are keyed by definition path ("history[].workplace_name"). */
  function claimList(claims, labels, prefix) {
    const list = el("dl", { class: "facts" });
    for (const [name, value] of Object.entries(claims || {})) {
      const path = prefix ? `${prefix}.${name}` : name;
      const label = pick((labels || {})[path]) || name;
      list.append(el("dt", {}, label), el("dd", {}, claimValue(value, labels, path)));
    }
    return list;
  }

  function claimValue(value, labels, path) {
    if (Array.isArray(value) && value.some((item) => item && typeof item === "object" && !Array.isArray(item))) {
      return claimTable(value, labels, `${path}[]`);
    }
    if (Array.isArray(value)) return value.map((item) => el("div", {}, plain(item)));
    if (value && typeof value === "object") return claimList(value, labels, path);
    return plain(value);
  }

  /* An array of records (coverage periods, goods): one row each, a column per field. */
  function claimTable(rows, labels, path) {
    const columns = [];
    for (const row of rows) for (const key of Object.keys(row || {})) if (!columns.includes(key)) columns.push(key);
    return el("table", { class: "items" },
      el("thead", {}, el("tr", {}, columns.map((key) => el("th", {}, pick((labels || {})[`${path}.${key}`]) || key)))),
      el("tbody", {}, rows.map((row) => el("tr", {}, columns.map((key) => el("td", {}, plain((row || {})[key])))))));
  }

  function facts(pairs) {
    const list = el("dl", { class: "facts" });
    for (const [label, value] of pairs) {
      if (value === null || value === undefined || value === "") continue;
      list.append(el("dt", {}, label), el("dd", {}, value));
    }
    return list;
  }

  function card(kind, title, verdict, ...body) {
    return el("article", { class: `card ${kind}`, "data-verdict": kind },
      el("header", {}, el("h2", {}, title), el("span", { class: "verdict" }, verdict)),
      el("div", { class: "body" }, ...body));
  }

  // an outcome as a sentence for the clerk; the raw code only in the small details line
  function outcome(code) {
    return (config.outcomes && config.outcomes[code]) || config.outcomes.outcome_unknown;
  }

  function codeLine(code, message) {
    return el("div", { class: "outcome" },
      el("p", { class: "reason", "data-reason": code }, message || outcome(code)),
      el("p", { class: "details" }, t("details"), ": ", el("span", { class: "code", "data-code": code }, code)));
  }

  function statusText(status) {
    return t(`status_${status || "unknown"}`);
  }

  return { config, lang, t, el, api, pick, when, plain, claimList, facts, card, codeLine, outcome, statusText };
})();
