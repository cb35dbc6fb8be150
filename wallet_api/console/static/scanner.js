/* Desk scanner (customs, mobile ID): camera, photo or pasted text → the console API → a card.
   QR decoding runs here with jsQR, so a photo never leaves the desk: only the QR's text does. */
"use strict";

(() => {
  const { config, t, el, api, pick, when, plain, claimList, facts, card, codeLine } = Console;
  const video = document.getElementById("camera");
  const toggle = document.getElementById("camera-toggle");
  const photo = document.getElementById("photo");
  const pasteForm = document.getElementById("paste-form");
  const pasted = document.getElementById("qr-text");
  const notice = document.getElementById("scan-notice");
  const results = document.getElementById("results");
  const profileSelect = document.getElementById("profile");
  const SCAN_EVERY_MS = 250;
  //: a camera keeps seeing the same QR: it is sent once until the desk sees another
  let lastCameraText = null;
  let stream = null;
  let busy = false;

  function say(message) {
    notice.textContent = message || "";
    notice.hidden = !message;
  }

  function decode(source, width, height) {
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(source, 0, 0, width, height);
    const image = context.getImageData(0, 0, width, height);
    const found = jsQR(image.data, width, height, { inversionAttempts: "attemptBoth" });
    return found ? found.data : null;
  }

  function labelsFor(typeId) {
    return (config.labels || {})[typeId] || {};
  }

  function customsCard(answer) {
    const claims = answer.claims || {};
    const customs = answer.customs || {};
    const labels = labelsFor(answer.type_id || "customs_declaration");
    const replayed = answer.replayed || answer.code === "replayed";
    const kind = answer.valid ? "ok" : "bad";
    const verdict = replayed ? t("already_used") : answer.valid ? t("valid") : t("invalid");
    const body = [];
    if (replayed) {
      body.push(el("p", { class: "notice error", "data-replayed": "true" }, t("already_used"),
        answer.first_scanned_at ? ` — ${t("first_scanned_at")}: ${when(answer.first_scanned_at)}` : ""));
    }
    if (!answer.valid) body.push(codeLine(answer.code || "invalid"));
    if (!answer.claims) return card(kind, t("customs_title"), verdict, body);

    body.push(facts([
      [pick(labels.name) || "name", claims.name],
      [pick(labels.nationality), claims.nationality],
      [pick(labels.passport_number), claims.passport_number],
      [pick(labels.birth_date), claims.birth_date],
      [pick(labels.flight_number), claims.flight_number],
      [pick(labels.arrival_date), claims.arrival_date],
      [pick(labels.accompanying_family_count), plain(claims.accompanying_family_count)],
      [pick(labels.countries_visited), (claims.countries_visited || []).join(", ")],
      [t("declaration_number"), customs.declaration_number],
    ]));

    const items = claims.items || {};
    body.push(el("h3", {}, t("declared_items")));
    const rows = [];
    if (items.alcohol_bottles || items.alcohol_litres) {
      rows.push(el("tr", { "data-item": "alcohol" }, el("td", {}, t("category_alcohol")),
        el("td", {}, `${plain(items.alcohol_bottles || 0)} ${t("bottles")}, ${plain(items.alcohol_litres || 0)} L`),
        el("td", {}, `${Number(items.alcohol_value_usd || 0).toLocaleString()} USD`), el("td", {})));
    }
    for (const key of ["cigarettes", "perfume_ml"]) {
      if (items[key]) rows.push(el("tr", { "data-item": key }, el("td", {}, pick(labels[`items.${key}`]) || key), el("td", {}, plain(items[key])), el("td", {}), el("td", {})));
    }
    for (const good of items.other_goods || []) {
      rows.push(el("tr", { class: "other-good" }, el("td", {}, good.name), el("td", {}, plain(good.quantity)),
        el("td", {}, `${Number(good.value).toLocaleString()} ${good.currency}`), el("td", {})));
    }
    body.push(rows.length
      ? el("table", { class: "items" },
          el("thead", {}, el("tr", {}, el("th", {}, t("item_name")), el("th", {}, t("quantity")), el("th", {}, t("value")), el("th", {}))),
          el("tbody", {}, rows))
      : el("p", {}, t("none")));

    body.push(el("h3", {}, t("over_allowance")));
    const over = customs.over_allowance || [];
    body.push(over.length
      ? el("table", { class: "items over-allowance" },
          el("thead", {}, el("tr", {}, el("th", {}), el("th", {}, t("declared")), el("th", {}, t("allowance")), el("th", {}, t("dutiable_usd")))),
          el("tbody", {}, over.map((e) => el("tr", { "data-category": e.category },
            el("td", {}, t(`category_${e.category}`)), el("td", {}, e.declared), el("td", {}, e.allowance), el("td", {}, e.dutiable_usd || "—")))))
      : el("p", {}, t("none")));

    const duty = customs.estimated_duty || {};
    const won = (n) => (n === undefined || n === null ? "" : `${Number(n).toLocaleString()} ${t("won")}`);
    body.push(el("h3", {}, t("estimated_duty")));
    body.push(el("div", { class: "duty", "data-payable-krw": duty.payable_krw }, facts([
      [t("dutiable_usd"), duty.dutiable_usd],
      [t("duty_krw"), won(duty.duty_krw)],
      [t("voluntary_reduction_krw"), won(duty.voluntary_reduction_krw)],
      [t("payable_krw"), won(duty.payable_krw)],
    ])));

    body.push(el("h3", {}, t("risk_flags")));
    const flags = customs.risk_flags || [];
    body.push(flags.length ? el("ul", { class: "flags" }, flags.map((f) => el("li", { "data-flag": f }, t(`flag_${f}`)))) : el("p", {}, t("none")));
    return card(kind, t("customs_title"), verdict, body);
  }

  // when the status the verdict relied on was produced: a revocation after it is not in it
  function checkedAt(answer) {
    return answer.status_checked_at
      ? el("p", { class: "hint", "data-status-checked-at": answer.status_checked_at }, `${t("status_checked_at")}: ${when(answer.status_checked_at)}`)
      : null;
  }

  function mobileIdCard(answer) {
    const title = t(`profile_${answer.profile}`);
    if ("answer" in answer) {
      // a yes/no desk: the answer, and on a refusal its reason; nothing about the person
      const yes = answer.answer === true;
      return card(yes ? "ok" : "bad", title, yes ? t("valid") : t("invalid"),
        el("p", { class: "big-answer", "data-answer": yes ? "yes" : "no" }, yes ? t("adult_yes") : t("adult_no")),
        !answer.valid ? codeLine(answer.code || "invalid") : null, checkedAt(answer));
    }
    if (!answer.valid) return card("bad", title, answer.replayed ? t("already_used") : t("invalid"), codeLine(answer.code || "invalid"));
    return card("ok", title, t("valid"), claimList(answer.claims, labelsFor(answer.type_id), ""), checkedAt(answer));
  }

  async function submit(text) {
    if (busy || !text) return;
    busy = true;
    say("");
    try {
      const body = { desk: config.desk, text };
      if (profileSelect) body.profile = profileSelect.value;
      const answer = await api("POST", "/console/api/qr-scans", body);
      results.replaceChildren(config.desk === "customs" ? customsCard(answer) : mobileIdCard(answer));
      document.body.dataset.scans = String(Number(document.body.dataset.scans || 0) + 1);
    } catch (error) {
      results.replaceChildren(card("bad", t("error"), t("invalid"), codeLine(error.code || "error")));
    } finally {
      busy = false;
    }
  }

  photo.addEventListener("change", () => {
    const file = photo.files && photo.files[0];
    if (!file) return;
    const url = URL.createObjectURL(file);
    const image = new Image();
    image.onload = () => {
      // large phone photos are scaled down: jsQR is quick on ~1000 px and finds the same code
      const scale = Math.min(1, 1600 / Math.max(image.naturalWidth, image.naturalHeight));
      const text = decode(image, Math.round(image.naturalWidth * scale), Math.round(image.naturalHeight * scale));
      URL.revokeObjectURL(url);
      photo.value = "";
      if (text) submit(text);
      else say(t("no_qr_found"));
    };
    image.onerror = () => { URL.revokeObjectURL(url); say(t("no_qr_found")); };
    image.src = url;
  });

  pasteForm.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(pasted.value.trim());
  });

  function scanFrame() {
    if (!stream) return;
    if (video.readyState >= 2 && video.videoWidth) {
      const text = decode(video, video.videoWidth, video.videoHeight);
      if (text && text !== lastCameraText) {
        lastCameraText = text;
        submit(text);
      }
    }
    setTimeout(scanFrame, SCAN_EVERY_MS);
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    toggle.textContent = t("start_camera");
  }

  toggle.addEventListener("click", async () => {
    if (stream) return stopCamera();
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      toggle.textContent = t("stop_camera");
      lastCameraText = null;
      scanFrame();
    } catch (error) {
      stopCamera();
      say(t("camera_unavailable"));
    }
  });
})();
