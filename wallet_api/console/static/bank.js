/* Bank counter: create a request from a template, show its QR, poll until the wallet answers. */
"use strict";

(() => {
  const { config, t, el, api, pick, when, claimList, facts, card, codeLine, statusText } = Console;
  const POLL_MS = 1000;
  const form = document.getElementById("bank-form");
  const panel = document.getElementById("qr-panel");
  const qr = document.getElementById("request-qr");
  const stateLine = document.getElementById("request-state");
  const results = document.getElementById("results");
  let polling = null;
  qr.addEventListener("load", () => { qr.dataset.loaded = "true"; });

  function typeName(typeId) {
    const type = config.types[typeId];
    return type ? pick(type.name) : typeId || "";
  }

  function resultCard(query, answer) {
    const title = typeName(answer.type_id || query.type_id);
    if (!answer.valid) {
      return card("bad", title, t("invalid"), codeLine(answer.code || "invalid"));
    }
    const type = config.types[answer.type_id] || {};
    const summary = facts([
      [t("issuer"), [pick(type.agency), answer.issuer ? el("small", { class: "issuer-id" }, answer.issuer) : null]],
      [t("validity"), `${when(answer.validity && answer.validity.iat)} – ${when(answer.validity && answer.validity.exp)}`],
      [t("status"), statusText(answer.status)],
      [t("status_checked_at"), when(answer.status_checked_at)],
    ]);
    const partial = answer.match !== "full";
    return card(partial ? "warn" : "ok", title, partial ? t("partial") : t("valid"),
      summary, el("h3", {}, t("disclosed")), claimList(answer.claims, answer.labels, ""),
      partial ? codeLine("partial_match") : null);
  }

  function show(request, template) {
    results.replaceChildren();
    if (request.error) {
      const message = request.error === "expired" ? t("request_expired") : t("wallet_declined");
      results.append(card("bad", t("bank_title"), t("invalid"), codeLine(request.error, message)));
      return;
    }
    if (request.result_state === "collected" || request.result_state === "purged") {
      // the service hands a result over once (then deletes it): another tab or poll had it
      results.append(card("warn", t("bank_title"), t("result_gone"), codeLine(`result_${request.result_state}`, t("result_gone"))));
      return;
    }
    const queries = config.templates[template] || [];
    for (const query of queries) {
      const answer = (request.result || {})[query.id];
      const answers = Array.isArray(answer) ? answer : [answer || { valid: false, code: "not_presented" }];
      for (const one of answers) results.append(resultCard(query, one));
    }
  }

  function stopPolling() {
    if (polling) clearTimeout(polling);
    polling = null;
  }

  async function poll(id, template) {
    try {
      const request = await api("GET", `/console/api/presentation-requests/${encodeURIComponent(id)}`);
      if (request.status === "done") {
        stateLine.textContent = "";
        panel.hidden = true;
        show(request, template);
        document.body.dataset.requestState = "done";
        return;
      }
      // anyone who saw the QR can say "declined": shown, and the request stays open
      if (request.wallet_error) stateLine.textContent = t("wallet_declined_open");
    } catch (error) {
      stateLine.textContent = `${t("error")}: ${error.code || ""}`;
    }
    polling = setTimeout(() => poll(id, template), POLL_MS);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    stopPolling();
    results.replaceChildren();
    document.body.dataset.requestState = "starting";
    const template = document.getElementById("template").value;
    try {
      const created = await api("POST", "/console/api/presentation-requests", { template, lang: Console.lang });
      delete qr.dataset.loaded;
      qr.src = created.qr_svg;
      stateLine.textContent = t("waiting");
      panel.hidden = false;
      document.body.dataset.requestState = "pending";
      document.body.dataset.requestId = created.id;
      polling = setTimeout(() => poll(created.id, template), POLL_MS);
    } catch (error) {
      results.append(card("bad", t("bank_title"), t("invalid"), codeLine(error.code || "error")));
    }
  });
})();
