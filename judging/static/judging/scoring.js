/*
 * The scoring page (judging/assignment.html). An ES module, no build; the
 * shared pieces are in competition/static/common/.
 *
 * - The running weighted total: Σ points × weight over the criteria filled
 *   in, recomputed on every keystroke (the server computes the stored total
 *   with the same formula).
 * - Each input is checked as it is typed: a number from 0 to the criterion's
 *   maximum on the server's grid (config.step, judging.scoring.HALF); a
 *   wrong value is shown under its input and is not sent.
 * - Draft autosave (common/autosave.js): a moment after the judge stops
 *   typing, the valid scores and the comment go to
 *   PUT /api/v1/assignments/{id}/scorecard/ with the `version` the page was
 *   read at (0 for a scorecard never saved); the answer's version is used for
 *   the next save. The requests are sent with `keepalive`, and pending
 *   changes are sent when the page is hidden or closed, so that a closed tab
 *   keeps the draft. A 409 stale_version (the scorecard was saved elsewhere)
 *   stops autosave and offers to reload; any other 409 (deadline passed,
 *   pledge missing, submitted, conflict) stops it with the server's reason.
 * - Submit: checks completeness here first (every criterion, the comment
 *   when the round requires it), asks for confirmation, saves what is
 *   pending, then POST /api/v1/assignments/{id}/scorecard/submit/; the page
 *   reloads locked.
 */
import { Autosave } from "../common/autosave.js";
import { byId as $, el, readConfig, setErrors, setStatus, showFieldErrors, showNotice } from "../common/dom.js";
import { formatPoints, hhmm } from "../common/format.js";
import { errorOf, readJson, request } from "../common/http.js";

const form = $("scorecard-form");
const config = readConfig("scoring-config");
if (form && config) start(form, config);

function start(form, config) {
  const inputs = Array.from(form.querySelectorAll("input.score"));
  const comment = $("comment");
  const totalEls = [$("running-total"), $("running-total-bottom")];
  const filledEl = $("filled-count");
  const statusEl = $("autosave-status");
  const noticeEl = $("save-notice");
  const problemsEl = $("submit-problems");
  const submitButton = $("submit-button");

  const SAVE_DELAY = 700;
  const RETRY_DELAY = 5000;
  const step = Number(config.step);
  const state = { version: config.version, submitting: false };
  const status = (text, kind) => setStatus(statusEl, text, kind);

  // ------------------------------------------------------------------ values, checks, total

  function check(input) {
    const text = input.value.trim();
    const max = Number(input.dataset.max);
    if (text === "") {
      // A number input reports "" for text it cannot parse ("12,5", "abc").
      if (input.validity && input.validity.badInput) return { error: "请输入数字。" };
      return { empty: true };
    }
    const n = Number(text);
    if (!isFinite(n)) return { error: "请输入数字。" };
    if (n < 0) return { error: "不能为负数。" };
    if (n > max) return { error: "不能超过满分 " + input.dataset.maxDisplay + " 分。" };
    if (Math.abs(n / step - Math.round(n / step)) > 1e-9) return { error: "只能以 " + config.step + " 分为单位。" };
    return { value: n };
  }

  function recompute() {
    let total = 0;
    let filled = 0;
    inputs.forEach((input) => {
      const result = check(input);
      setErrors(form, "scores." + input.dataset.criterion, result.error ? [result.error] : []);
      if (result.value !== undefined) {
        total += result.value * Number(input.dataset.weight);
        filled += 1;
      }
    });
    totalEls.forEach((node) => { if (node) node.textContent = formatPoints(total); });
    if (filledEl) filledEl.textContent = "已评 " + filled + " / " + inputs.length + " 项";
    return { total, filled };
  }

  function values() {
    // An emptied input is sent as null (the API leaves that criterion's saved score as it is).
    const scores = {};
    inputs.forEach((input) => {
      const result = check(input);
      if (result.value !== undefined) scores[input.dataset.criterion] = result.value;
      else if (result.empty) scores[input.dataset.criterion] = null;
    });
    return { scores, comment: comment ? comment.value : "" };
  }

  inputs.forEach((input) => {
    const max = Number(input.dataset.max);
    input.dataset.maxDisplay = String(max % 1 === 0 ? max : max.toFixed(1));
  });

  // ------------------------------------------------------------------ autosave

  const autosave = new Autosave({
    snapshot: () => JSON.stringify(values()),
    send: () => {
      status("正在保存…", "muted");
      return request("PUT", config.saveUrl, { ...values(), version: state.version }, { keepalive: true })
        .then((response) => readJson(response).then((json) => answered(response, json)));
    },
    onOffline: () => status("网络连接异常，稍后自动重试", "failed"),
    offlineRetry: RETRY_DELAY,
    stopped: !config.editable,
  });

  function answered(response, json) {
    if (response.ok) {
      state.version = json.version;
      if (!autosave.pending) status("已自动保存 " + hhmm(json.updated_at), "saved");
      return true;
    }
    const error = errorOf(json);
    if (response.status === 409 && error.code === "stale_version") {
      stop("该评分表已在其他页面或设备上保存过，为避免覆盖，已停止自动保存。请重新载入页面，查看最新保存的评分后再修改。", true);
      return false;
    }
    if (response.status === 409) {
      stop((error.message || "当前不能保存评分。") + "（本页的修改未保存）", error.code === "scorecard_locked");
      return false;
    }
    if (response.status === 400) {
      const other = showFieldErrors(form, error.fields).other;
      status("有内容未保存：" + (other[0] || error.message || "请检查标出的评分项。"), "failed");
      return false;
    }
    if (response.status === 403 || response.status === 404) {
      stop(error.message || "无法保存该评分表。", true);
      return false;
    }
    status("保存失败（" + response.status + "），稍后自动重试", "failed");
    return { retry: RETRY_DELAY };
  }

  function notice(text, withReload) {
    showNotice(noticeEl, text, { reload: withReload ? "重新载入" : null, reloadId: "reload-button", scroll: true });
  }

  function stop(text, withReload) {
    autosave.stop();
    if (submitButton) submitButton.disabled = true;
    status("已停止自动保存", "failed");
    notice(text, withReload);
  }

  function edited() {
    if (autosave.stopped) return;
    if (autosave.pending) status("有未保存的修改…", "muted");
    autosave.schedule(SAVE_DELAY);
  }

  autosave.saveOnLeave();

  inputs.forEach((input) => {
    input.addEventListener("input", () => { recompute(); edited(); });
    input.addEventListener("blur", () => {
      // Show 12 as 12, 12.50 as 12.5; leave wrong values as typed.
      const result = check(input);
      if (result.value !== undefined) input.value = String(result.value);
    });
  });
  if (comment) {
    comment.addEventListener("input", () => {
      setErrors(form, "comment", []);
      edited();
    });
  }

  // ------------------------------------------------------------------ submit

  function problems() {
    const out = [];
    inputs.forEach((input) => {
      const result = check(input);
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
    const list = el("ul");
    lines.forEach((line) => list.appendChild(el("li", {}, line)));
    problemsEl.appendChild(list);
    problemsEl.hidden = false;
  }

  if (submitButton) {
    submitButton.addEventListener("click", () => {
      if (autosave.stopped || state.submitting) return;
      const missing = problems();
      showProblems(missing);
      if (missing.length) {
        if (config.commentRequired && comment && !comment.value.trim()) setErrors(form, "comment", ["本轮评审必须填写评语。"]);
        return;
      }
      const total = formatPoints(recompute().total);
      if (!window.confirm("确定提交评分吗？加权总分 " + total + " 分。提交后评分表锁定，不能再修改。")) return;
      state.submitting = true;
      submitButton.disabled = true;
      status("正在提交…", "muted");
      // A scorecard never saved (version 0) is saved first, whatever the page holds.
      autosave.save({ force: state.version === 0 })
        .then((ok) => {
          if (!ok) throw new Error("not saved");
          return request("POST", config.submitUrl);
        })
        .then((response) => readJson(response).then((json) => {
          if (response.ok) {
            status("已提交", "saved");
            window.location.reload();
            return;
          }
          const error = errorOf(json);
          const other = showFieldErrors(form, error.fields).other;
          if (response.status === 400) {
            showProblems(Object.keys(error.fields || {}).map((k) => error.fields[k].join(" ")), error.message);
          } else {
            stop(error.message || "提交失败。", error.code === "stale_version");
          }
          if (other.length && response.status !== 400) notice(other.join(" "));
          status("未提交", "failed");
        }))
        .catch(() => {
          status("未提交：请先处理上面的提示", "failed");
        })
        .then(() => {
          state.submitting = false;
          if (!autosave.stopped) submitButton.disabled = false;
        });
    });
  }

  recompute();
}
