/* Document check: a number in, genuine and current (or not) out. */
"use strict";

(() => {
  const { t, el, api, pick, facts, card, codeLine } = Console;
  const form = document.getElementById("document-form");
  const input = document.getElementById("document-number");
  const results = document.getElementById("results");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const answer = await api("POST", "/console/api/document-checks", { number: input.value.trim() });
      if (!answer.found) {
        results.replaceChildren(card("bad", answer.document_number, t("invalid"), codeLine("not_found", t("not_found"))));
        return;
      }
      const summary = facts([
        [t("document_number"), answer.document_number],
        [t("document_type"), pick(answer.type_name)],
        [t("agency"), pick(answer.agency)],
        [t("issued_at"), answer.issued_at.slice(0, 10)],
        [t("expires_at"), answer.expires_at.slice(0, 10)],
        [t("status"), t(`status_${answer.status}`) === `status_${answer.status}` ? answer.status : t(`status_${answer.status}`)],
      ]);
      results.replaceChildren(answer.current
        ? card("ok", pick(answer.type_name), t("genuine_current"), summary)
        : card("bad", pick(answer.type_name), t("genuine_not_current"), codeLine(answer.status), summary));
    } catch (error) {
      results.replaceChildren(card("bad", t("error"), t("invalid"), codeLine(error.code || "error")));
    }
  });
})();
