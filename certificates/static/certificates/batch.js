// The batch page's progress bar: polls the batch's status until it is finished.
(function () {
  "use strict";
  var card = document.getElementById("batch");
  if (!card || card.dataset.finished === "1") return;
  var url = card.dataset.statusUrl;
  var el = function (id) { return document.getElementById(id); };

  function text(value) { return value === null || value === undefined ? "" : String(value); }

  function render(batch) {
    el("batch-status").textContent = batch.status_display;
    var bar = el("batch-progress");
    bar.max = batch.total;
    bar.value = batch.done + batch.failed;
    bar.textContent = batch.percent + "%";
    el("batch-total").textContent = batch.total;
    el("batch-done").textContent = batch.done;
    el("batch-failed").textContent = batch.failed;
    el("batch-percent").textContent = batch.percent;
    if (batch.archive_url) {
      el("batch-archive-link").href = batch.archive_url;
      el("batch-archive").hidden = false;
    }
    if (batch.failures && batch.failures.length) {
      var body = el("batch-failures");
      body.textContent = "";
      batch.failures.forEach(function (f) {
        var row = document.createElement("tr");
        [f.number, f.holder, f.attempts, f.error].forEach(function (value, i) {
          var cell = document.createElement("td");
          if (i === 0) cell.className = "mono";
          cell.textContent = text(value);  // text, never markup
          row.appendChild(cell);
        });
        body.appendChild(row);
      });
      el("batch-failures-card").hidden = false;
    }
    return batch.status === "done" || batch.status === "done_with_errors";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (batch) { if (!render(batch)) setTimeout(poll, 1500); })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
