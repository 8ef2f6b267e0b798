/*
 * The ranking page's method switch (judging/ranking.html), for the office.
 *
 * A method button asks the JSON API to aggregate the round with that method
 * (POST /api/v1/rounds/{id}/aggregate/ {"method"} → 202 with status_url),
 * polls the job's status (GET /api/v1/aggregation-jobs/{id}/: status,
 * done/total) into the progress bar, and when the job is done shows that
 * method's ranking (the page with ?method=…). A job still running when the
 * page is opened (the tab was closed, another office user started it) is
 * followed the same way (data-job-url). Errors use the API's shape
 * {"error": {code, message, fields}}.
 */
(function () {
  "use strict";

  var box = document.getElementById("method-switch");
  if (!box) return;
  var buttons = Array.prototype.slice.call(box.querySelectorAll("button[data-method]"));
  var jobBox = document.getElementById("job-box");
  var bar = document.getElementById("job-progress");
  var text = document.getElementById("job-text");
  var POLL_MS = 500;
  var STATUS = { queued: "排队中", running: "计算中", done: "已完成", failed: "失败" };

  function csrfToken() {
    var input = box.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function readJson(response) { return response.json().catch(function () { return {}; }); }
  function setBusy(busy) { buttons.forEach(function (b) { b.disabled = busy; }); }
  function say(message, kind) {
    text.textContent = message;
    text.className = kind === "error" ? "error" : "muted";
  }

  function show(method) {
    var params = new URLSearchParams(window.location.search);
    params.set("method", method);
    window.location.assign(box.dataset.pageUrl + "?" + params.toString());
  }

  function poll(url, method, started) {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        return readJson(response).then(function (json) { return { ok: response.ok, json: json }; });
      })
      .then(function (answer) {
        var job = answer.json;
        if (!answer.ok) {
          say((job.error && job.error.message) || "无法读取计算进度。", "error");
          setBusy(false);
          return;
        }
        var total = Math.max(job.total || 0, 1);
        bar.max = total;
        bar.value = Math.min(job.done || 0, total);
        if (job.status === "done") {
          bar.value = total;
          say("计算完成，正在显示结果…");
          show(method);
          return;
        }
        if (job.status === "failed") {
          say("计算失败：" + (job.error || "请稍后重试。"), "error");
          setBusy(false);
          return;
        }
        var waited = Math.round((Date.now() - started) / 1000);
        say((STATUS[job.status] || job.status) + "… 已完成 " + (job.done || 0) + " / " + (job.total || "?") +
            (waited > 10 ? "（已等待 " + waited + " 秒）" : ""));
        setTimeout(function () { poll(url, method, started); }, POLL_MS);
      })
      .catch(function () {
        say("网络连接异常，正在重试…", "error");
        setTimeout(function () { poll(url, method, started); }, POLL_MS * 4);
      });
  }

  // A job still queued or running when the page was (re)opened: follow its progress.
  if (box.dataset.jobUrl) {
    setBusy(true);
    jobBox.hidden = false;
    poll(box.dataset.jobUrl, box.dataset.jobMethod, Date.now());
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      var method = button.dataset.method;
      setBusy(true);
      jobBox.hidden = false;
      bar.removeAttribute("value");
      say("正在提交计算任务…");
      fetch(box.dataset.aggregateUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify({ method: method }),
      })
        .then(function (response) {
          return readJson(response).then(function (json) { return { status: response.status, json: json }; });
        })
        .then(function (answer) {
          var json = answer.json;
          if (answer.status !== 202) {
            say((json.error && json.error.message) || "无法开始计算。", "error");
            setBusy(false);
            return;
          }
          if (json.message) say(json.message);
          bar.value = 0;
          poll(json.status_url, method, Date.now());
        })
        .catch(function () {
          say("网络连接异常，未能开始计算。", "error");
          setBusy(false);
        });
    });
  });
})();
