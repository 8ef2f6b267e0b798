/*
 * The scoring page (judging/assignment.html). Plain JavaScript, no build.
 *
 * - The running weighted total: Σ points × weight over the criteria filled
 *   in, recomputed on every keystroke (the server computes the stored total
 *   with the same formula).
 * - Each input is checked as it is typed: a number from 0 to the criterion's
 *   maximum in half points; a wrong value is shown under its input and is not
 *   sent.
 * - Draft autosave: a moment after the judge stops typing, the valid scores
 *   and the comment go to PUT /api/v1/assignments/{id}/scorecard/ with the
 *   `version` the page was read at (0 for a scorecard never saved); the
 *   answer's version is used for the next save. The requests are sent with
 *   `keepalive`, and pending changes are sent when the page is hidden or
 *   closed, so that a closed tab keeps the draft. A 409 stale_version (the
 *   scorecard was saved elsewhere) stops autosave and offers to reload; any
 *   other 409 (deadline passed, pledge missing, submitted, conflict) stops it
 *   with the server's reason.
 * - Submit: checks completeness here first (every criterion, the comment
 *   when the round requires it), asks for confirmation, saves what is
 *   pending, then POST /api/v1/assignments/{id}/scorecard/submit/; the page
 *   reloads locked.
 */
(function () {
  "use strict";

  var form = document.getElementById("scorecard-form");
  var configNode = document.getElementById("scoring-config");
  if (!form || !configNode) return;
  var config = JSON.parse(configNode.textContent);

  var $ = function (id) { return document.getElementById(id); };
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.score"));
  var comment = $("comment");
  var totalEls = [$("running-total"), $("running-total-bottom")];
  var filledEl = $("filled-count");
  var statusEl = $("autosave-status");
  var noticeEl = $("save-notice");
  var problemsEl = $("submit-problems");
  var submitButton = $("submit-button");

  var SAVE_DELAY = 700;
  var RETRY_DELAY = 5000;
  var state = {
    version: config.version,
    dirty: false,
    timer: null,
    saving: null,
    stopped: !config.editable,
    submitting: false,
  };

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "className") node.className = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function hhmm(iso) {
    var date = iso ? new Date(iso) : new Date();
    if (isNaN(date.getTime())) date = new Date();
    return String(date.getHours()).padStart(2, "0") + ":" + String(date.getMinutes()).padStart(2, "0");
  }
  function request(method, url, body, keepalive) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(),
        "Accept": "application/json",
        "X-Requested-With": "XMLHttpRequest",
      },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
      // keepalive lets a save finish when the tab is closed (bodies up to 64 KB).
      if (keepalive !== false && options.body.length < 60000) options.keepalive = true;
    }
    return fetch(url, options);
  }
  function readJson(response) { return response.json().catch(function () { return {}; }); }
  function errorOf(json) { return (json && json.error) || {}; }

  // ------------------------------------------------------------------ values, checks, total

  function formatPoints(n) { return (Math.round(n * 100) / 100).toFixed(2); }

  function check(input) {
    var text = input.value.trim();
    var max = Number(input.dataset.max);
    if (text === "") {
      // A number input reports "" for text it cannot parse ("12,5", "abc").
      if (input.validity && input.validity.badInput) return { error: "请输入数字。" };
      return { empty: true };
    }
    var n = Number(text);
    if (!isFinite(n)) return { error: "请输入数字。" };
    if (n < 0) return { error: "不能为负数。" };
    if (n > max) return { error: "不能超过满分 " + input.dataset.maxDisplay + " 分。" };
    if (Math.abs(n * 2 - Math.round(n * 2)) > 1e-9) return { error: "只能以 0.5 分为单位。" };
    return { value: n };
  }

  function errorList(path) { return form.querySelector('[data-errors-for="' + path + '"]'); }

  function setErrors(path, messages) {
    var list = errorList(path);
    if (!list) return false;
    list.textContent = "";
    (messages || []).forEach(function (m) { list.appendChild(el("li", {}, m)); });
    var row = list.closest(".criterion") || list.closest(".field");
    if (row) row.classList.toggle("has-error", Boolean(messages && messages.length));
    return true;
  }

  function recompute() {
    var total = 0;
    var filled = 0;
    inputs.forEach(function (input) {
      var result = check(input);
      setErrors("scores." + input.dataset.criterion, result.error ? [result.error] : []);
      if (result.value !== undefined) {
        total += result.value * Number(input.dataset.weight);
        filled += 1;
      }
    });
    totalEls.forEach(function (node) { if (node) node.textContent = formatPoints(total); });
    if (filledEl) filledEl.textContent = "已评 " + filled + " / " + inputs.length + " 项";
    return { total: total, filled: filled };
  }

  function payload() {
    // An emptied input is sent as null (the API leaves that criterion's saved score as it is).
    var scores = {};
    inputs.forEach(function (input) {
      var result = check(input);
      if (result.value !== undefined) scores[input.dataset.criterion] = result.value;
      else if (result.empty) scores[input.dataset.criterion] = null;
    });
    return { scores: scores, comment: comment ? comment.value : "", version: state.version };
  }

  inputs.forEach(function (input) {
    var max = Number(input.dataset.max);
    input.dataset.maxDisplay = String(max % 1 === 0 ? max : max.toFixed(1));
  });

  // ------------------------------------------------------------------ status and notices

  function setStatus(text, kind) {
    if (!statusEl) return;
    statusEl.textContent = text;
    statusEl.className = "autosave " + (kind || "muted");
  }

  function showNotice(text, withReload) {
    noticeEl.textContent = text + " ";
    if (withReload) {
      var button = el("button", { type: "button", className: "small", id: "reload-button" }, "重新载入");
      button.addEventListener("click", function () { window.location.reload(); });
      noticeEl.appendChild(button);
    }
    noticeEl.hidden = false;
    noticeEl.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  function stop(text, withReload) {
    state.stopped = true;
    clearTimeout(state.timer);
    if (submitButton) submitButton.disabled = true;
    setStatus("已停止自动保存", "failed");
    showNotice(text, withReload);
  }

  function showFieldErrors(fields) {
    var other = [];
    Object.keys(fields || {}).forEach(function (path) {
      if (!setErrors(path, fields[path])) other = other.concat(fields[path]);
    });
    return other;
  }

  // ------------------------------------------------------------------ autosave

  function schedule() {
    state.dirty = true;
    if (state.stopped) return;
    setStatus("有未保存的修改…", "muted");
    clearTimeout(state.timer);
    state.timer = setTimeout(save, SAVE_DELAY);
  }

  // Saves the current values; answers a promise that resolves true when the
  // server holds them.
  function save() {
    clearTimeout(state.timer);
    if (state.stopped) return Promise.resolve(false);
    if (state.saving) {
      // Save again once the running save has answered (it carries the new version).
      return state.saving.then(function () { return state.dirty ? save() : !state.stopped; });
    }
    var body = payload();
    state.dirty = false;
    setStatus("正在保存…", "muted");
    state.saving = request("PUT", config.saveUrl, body)
      .then(function (response) {
        return readJson(response).then(function (json) { return { response: response, json: json }; });
      })
      .then(function (answer) {
        var response = answer.response;
        var json = answer.json;
        if (response.ok) {
          state.version = json.version;
          if (!state.dirty) setStatus("已自动保存 " + hhmm(json.updated_at), "saved");
          return true;
        }
        var error = errorOf(json);
        if (response.status === 409 && error.code === "stale_version") {
          stop("该评分表已在其他页面或设备上保存过，为避免覆盖，已停止自动保存。请重新载入页面，查看最新保存的评分后再修改。", true);
          return false;
        }
        if (response.status === 409) {
          stop((error.message || "当前不能保存评分。") + "（本页的修改未保存）", error.code === "scorecard_locked");
          return false;
        }
        if (response.status === 400) {
          var other = showFieldErrors(error.fields);
          setStatus("有内容未保存：" + (other[0] || error.message || "请检查标出的评分项。"), "failed");
          return false;
        }
        if (response.status === 403 || response.status === 404) {
          stop(error.message || "无法保存该评分表。", true);
          return false;
        }
        state.dirty = true;
        setStatus("保存失败（" + response.status + "），稍后自动重试", "failed");
        state.timer = setTimeout(save, RETRY_DELAY);
        return false;
      })
      .catch(function () {
        state.dirty = true;
        setStatus("网络连接异常，稍后自动重试", "failed");
        state.timer = setTimeout(save, RETRY_DELAY);
        return false;
      })
      .then(function (ok) {
        state.saving = null;
        return ok;
      });
    return state.saving;
  }

  // A closed or hidden tab: send what is pending now (keepalive outlives the page).
  function flush() {
    if (state.stopped || !state.dirty || state.saving) return;
    save();
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });
  window.addEventListener("pagehide", flush);

  inputs.forEach(function (input) {
    input.addEventListener("input", function () { recompute(); schedule(); });
    input.addEventListener("blur", function () {
      // Show 12 as 12, 12.50 as 12.5; leave wrong values as typed.
      var result = check(input);
      if (result.value !== undefined) input.value = String(result.value);
    });
  });
  if (comment) {
    comment.addEventListener("input", function () {
      setErrors("comment", []);
      schedule();
    });
  }

  // ------------------------------------------------------------------ submit

  function problems() {
    var out = [];
    inputs.forEach(function (input) {
      var result = check(input);
      if (result.error) out.push(input.dataset.name + "：" + result.error);
      else if (result.empty) out.push(input.dataset.name + "：尚未评分。");
    });
    if (config.commentRequired && comment && !comment.value.trim()) out.push("评语：本轮评审必须填写评语。");
    return out;
  }

  function showProblems(lines, title) {
    problemsEl.textContent = "";
    if (!lines.length) { problemsEl.hidden = true; return; }
    problemsEl.appendChild(el("strong", {}, title || "评分表不完整，请补齐后再提交："));
    var list = el("ul");
    lines.forEach(function (line) { list.appendChild(el("li", {}, line)); });
    problemsEl.appendChild(list);
    problemsEl.hidden = false;
  }

  if (submitButton) {
    submitButton.addEventListener("click", function () {
      if (state.stopped || state.submitting) return;
      var missing = problems();
      showProblems(missing);
      if (missing.length) {
        if (config.commentRequired && comment && !comment.value.trim()) setErrors("comment", ["本轮评审必须填写评语。"]);
        return;
      }
      var total = formatPoints(recompute().total);
      if (!window.confirm("确定提交评分吗？加权总分 " + total + " 分。提交后评分表锁定，不能再修改。")) return;
      state.submitting = true;
      submitButton.disabled = true;
      setStatus("正在提交…", "muted");
      var pending = state.dirty || state.version === 0 ? save() : (state.saving || Promise.resolve(true));
      pending
        .then(function (ok) {
          if (!ok) throw new Error("not saved");
          return request("POST", config.submitUrl, undefined, false);
        })
        .then(function (response) {
          return readJson(response).then(function (json) {
            if (response.ok) {
              setStatus("已提交", "saved");
              window.location.reload();
              return;
            }
            var error = errorOf(json);
            var other = showFieldErrors(error.fields);
            if (response.status === 400) {
              showProblems(Object.keys(error.fields || {}).map(function (k) { return error.fields[k].join(" "); }), error.message);
            } else {
              stop(error.message || "提交失败。", error.code === "stale_version");
            }
            if (other.length && response.status !== 400) showNotice(other.join(" "));
            setStatus("未提交", "failed");
          });
        })
        .catch(function () {
          setStatus("未提交：请先处理上面的提示", "failed");
        })
        .then(function () {
          state.submitting = false;
          if (!state.stopped) submitButton.disabled = false;
        });
    });
  }

  recompute();
})();
