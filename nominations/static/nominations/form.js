/*
 * The nomination form page (nominations/form.html). An ES module, no build;
 * the shared pieces are in competition/static/common/.
 *
 * - Draft autosave (common/autosave.js): a moment after the officer stops
 *   typing, the form is sent to the JSON API (POST /api/v1/nominations/ the
 *   first time on a new page, then PATCH /api/v1/nominations/{id}/ with the
 *   `version` it was read at). Per-field errors of the API's error shape
 *   {"error": {code, message, fields}} are shown under their fields and the
 *   other fields are saved anyway; a 409 (stale_version, window closed, not
 *   editable) stops autosave and shows the reason.
 * - Character counters for the fields with a limit (data-max).
 * - Attachments through the API: upload (multipart file/kind/caption) with a
 *   local preview, thumbnails of photos, file names of PDFs, delete. The file
 *   types and sizes each kind accepts come from the server (the
 *   "upload-limits" json_script, built by nominations.files.client_limits).
 * - The completeness checklist (GET /nominations/{id}/checklist/) refreshed
 *   after every save and upload; the submit button is enabled when complete,
 *   and pending edits are saved before the page submits.
 */
import { Autosave } from "../common/autosave.js";
import { byId as $, clearErrors, el, readConfig, setStatus, showFieldErrors, showNotice } from "../common/dom.js";
import { hhmm, sizeText } from "../common/format.js";
import { errorOf, readJson, request } from "../common/http.js";

const form = $("nomination-form");
if (form) start(form);

function start(form) {
  const statusEl = $("autosave-status");
  const noticeEl = $("autosave-notice");
  const submitForm = $("submit-form");
  const submitButton = $("submit-button");
  const windowOpen = form.dataset.autosave === "on";

  const state = {
    id: form.dataset.nominationId ? Number(form.dataset.nominationId) : null,
    version: form.elements.version && form.elements.version.value ? Number(form.elements.version.value) : null,
    hasErrors: false,
  };

  const urlFor = (template, id) => template.replace("/0/", "/" + id + "/");
  const status = (text, kind) => setStatus(statusEl, text, kind);
  const notice = (text, withReload) => showNotice(noticeEl, text, { reload: withReload ? "刷新页面" : null });

  // ------------------------------------------------------------------ the form's values

  const inputs = () => Array.from(form.querySelectorAll("[data-type]"));

  function valueOf(input) {
    let text;
    switch (input.dataset.type) {
      case "bool": return input.checked;
      case "order": return input.value === "" ? null : Number(input.value);
      case "date": return input.value === "" ? null : input.value;
      case "int":
        text = input.value.trim();
        if (text === "") return null;
        return /^\d+$/.test(text) ? Number(text) : text;
      case "lines":
        return input.value.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
      default:
        return input.value.replace(/\r\n?/g, "\n").trim();
    }
  }

  function payload(exclude) {
    const data = {};
    inputs().forEach((input) => {
      if (!exclude || !exclude[input.name]) data[input.name] = valueOf(input);
    });
    return data;
  }

  // "media_links[1]" and "media_links" are the same field on the page.
  const baseName = (path) => String(path).split("[")[0].split(".")[0];

  // ------------------------------------------------------------------ autosave

  // What was typed before this script ran (a quick typist on a slow line, or the
  // browser restoring the form) differs from the values the page was served with:
  // it is saved as soon as the script runs, not only after the next keystroke.
  function changedSinceServed(input) {
    if (input.type === "checkbox" || input.type === "radio") return input.checked !== input.defaultChecked;
    if (input.tagName === "SELECT") {
      const served = Array.from(input.options).find((o) => o.defaultSelected) || input.options[0];
      return served ? input.value !== served.value : false;
    }
    return input.value !== input.defaultValue;
  }
  const typedEarly = windowOpen && inputs().some(changedSinceServed);

  const autosave = new Autosave({
    snapshot: () => JSON.stringify(payload()),
    send: (options) => {
      status("正在保存…");
      return send(payload(options.exclude), options);
    },
    onOffline: () => status("网络连接失败，稍后自动重试。", "failed"),
    offlineRetry: 10000,
    stopped: !windowOpen,
    // Errors the server rendered are still to be corrected: the first save sends everything.
    saved: !typedEarly && !(state.id && form.querySelector(".has-error")),
  });

  function stop(message, withReload) {
    autosave.stop();
    status("自动保存已停止", "failed");
    notice(message, withReload);
  }

  function send(data, options) {
    let url, method;
    if (!state.id) {
      url = form.dataset.apiList;
      method = "POST";
      data.competition = Number(form.dataset.competition);
      data.category = Number(form.dataset.category);
    } else {
      url = form.dataset.apiList + state.id + "/";
      method = "PATCH";
      data.version = state.version;
    }
    return request(method, url, data, { keepalive: Boolean(options.keepalive) })
      .then((response) => readJson(response).then((json) => handle(response.status, json, options)));
  }

  function handle(code, json, options) {
    const error = errorOf(json);
    if (code === 200 || code === 201) {
      const created = !state.id;
      state.id = json.id;
      state.version = json.version;
      if (form.elements.version) form.elements.version.value = json.version;
      state.hasErrors = !!options.exclude;
      clearErrors(form, options.exclude);
      noticeEl.hidden = true;
      status(
        (options.exclude ? "其余内容" : "") + "已自动保存 " + hhmm(json.updated_at) +
          (options.exclude ? "（标红的字段有误，未保存）" : ""),
        options.exclude ? "failed" : "saved",
      );
      renderWarnings(json.warnings || []);
      if (created) becameDraft(json.id);
      refreshChecklist();
      return !options.exclude;
    }
    if (code === 400) {
      const shown = showFieldErrors(form, error.fields, baseName);
      const bad = Object.keys(shown.named);
      if (shown.other.length) notice(shown.other.join("；"));
      const remaining = Object.keys(payload()).filter((n) => !shown.named[n]);
      if (bad.length && remaining.length && !options.exclude) {
        // Save what is right; the fields in error stay marked until corrected.
        const rest = Object.assign({}, options, { exclude: shown.named });
        return send(payload(shown.named), rest);
      }
      state.hasErrors = true;
      status("有 " + Math.max(bad.length, 1) + " 处填写有误，未能保存：" + (error.message || "请检查标红的字段。"), "failed");
      return false;
    }
    if (code === 409) {
      if (error.code === "stale_version") {
        stop((error.message || "这份推荐已在别处被修改（版本不一致）。") +
          "为避免覆盖别处的修改，自动保存已停止；请先复制本页未保存的内容，再刷新页面。", true);
      } else {
        stop(error.message || "当前状态下不能保存。");
        if (submitButton) submitButton.disabled = true;
      }
      return false;
    }
    if (code === 401 || code === 403) {
      stop("登录已失效或无权修改这份推荐，请重新登录后再编辑（请先复制未保存的内容）。");
      return false;
    }
    if (code === 404) {
      stop("这份推荐不存在或已被删除。");
      return false;
    }
    status("保存失败（" + (error.message || "服务器错误 " + code) + "），稍后自动重试。", "failed");
    return { retry: 15000 };
  }

  function becameDraft(id) {
    form.dataset.nominationId = id;
    const editUrl = urlFor(form.dataset.editUrl, id);
    form.action = editUrl;
    ["competition", "category"].forEach((name) => {
      const hidden = form.querySelector('input[type=hidden][name="' + name + '"]');
      if (hidden) hidden.remove();
    });
    if (window.history && window.history.replaceState) window.history.replaceState(null, "", editUrl);
    if (submitForm) submitForm.action = urlFor(form.dataset.submitUrl, id);
    const title = $("page-title");
    if (title) title.textContent = title.textContent.replace("新建推荐", "编辑推荐");
    const disabled = $("attachments-disabled");
    if (disabled) disabled.hidden = true;
    const upload = $("upload-form");
    if (upload && windowOpen) upload.hidden = false;
  }

  // ------------------------------------------------------------------ warnings and checklist

  function renderWarnings(warnings) {
    const card = $("warnings-card");
    const list = $("warnings");
    if (!card || !list) return;
    list.textContent = "";
    warnings.forEach((w) => list.appendChild(el("li", {}, w.message)));
    card.hidden = warnings.length === 0;
  }

  function renderChecklist(data) {
    const box = $("checklist");
    box.textContent = "";
    if (data.complete) {
      box.appendChild(el("p", { className: "ok" }, "✓ 材料已齐全，可以提交。"));
    } else {
      box.appendChild(el("p", {}, "还差以下 " + data.missing.length + " 项："));
      const list = el("ul", { className: "checklist" });
      data.missing.forEach((item) => list.appendChild(el("li", {}, item.message)));
      box.appendChild(list);
    }
    if (submitButton) submitButton.disabled = !data.complete || !windowOpen;
  }

  function refreshChecklist() {
    if (!state.id) return Promise.resolve(null);
    return fetch(urlFor(form.dataset.checklistUrl, state.id), {
      credentials: "same-origin", headers: { "Accept": "application/json" },
    })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => { if (data) renderChecklist(data); return data; })
      .catch(() => null);
  }

  // ------------------------------------------------------------------ character counters

  form.querySelectorAll("textarea[data-max]").forEach((area) => {
    const max = Number(area.dataset.max);
    // Over-long text is shown in red and refused by the server, not cut off silently.
    area.removeAttribute("maxlength");
    const counter = el("div", { className: "counter", "aria-live": "polite" });
    area.insertAdjacentElement("afterend", counter);
    const update = () => {
      const count = Array.from(area.value.replace(/\r\n?/g, "\n")).length;
      counter.textContent = "已输入 " + count + " / " + max + " 字" + (count > max ? "，超出 " + (count - max) + " 字" : "");
      counter.classList.toggle("over", count > max);
    };
    area.addEventListener("input", update);
    update();
  });

  // ------------------------------------------------------------------ wiring the form

  form.addEventListener("input", () => autosave.schedule(1500));
  form.addEventListener("change", () => autosave.schedule(400));
  form.addEventListener("submit", (event) => {
    if (autosave.stopped) return; // the server-side save shows its own messages
    event.preventDefault();
    autosave.save({ force: true });
  });
  autosave.saveOnLeave();
  if (typedEarly) autosave.schedule(400);

  if (submitForm) {
    submitForm.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!state.id) return;
      submitButton.disabled = true;
      const before = submitButton.textContent;
      submitButton.textContent = "正在提交…";
      const restore = () => { submitButton.textContent = before; };
      autosave.save().then((saved) => {
        if (!saved && !autosave.stopped && state.hasErrors) {
          restore();
          submitButton.disabled = false;
          status("请先改正标红的字段，再提交。", "failed");
          return;
        }
        return refreshChecklist().then((data) => {
          if (data && data.complete) {
            HTMLFormElement.prototype.submit.call(submitForm);
          } else {
            restore();
          }
        });
      });
    });
  }

  startAttachments({ state, autosave, refreshChecklist, urlFor });
}

// ------------------------------------------------------------------ attachments

function startAttachments({ state, autosave, refreshChecklist, urlFor }) {
  const attachments = $("attachments");
  const list = $("attachment-list");
  const uploadForm = $("upload-form");
  const kindSelect = $("upload-kind");
  const fileInput = $("upload-file");
  const captionField = $("caption-field");
  const captionInput = $("upload-caption");
  const preview = $("upload-preview");
  const uploadErrors = $("upload-errors");
  const uploadStatus = $("upload-status");
  const uploadButton = $("upload-button");
  // Per kind: the types it accepts and its size limit, as the server checks them.
  const limits = readConfig("upload-limits") || { kinds: {} };
  let previewUrl = null;

  function kindLabel(kind) {
    const option = kindSelect && kindSelect.querySelector('option[value="' + kind + '"]');
    return option ? option.textContent : kind;
  }
  function fileBadge(contentType) {
    if (contentType === "video/mp4") return "MP4";
    if (contentType === "application/pdf") return "PDF";
    return "文件";
  }

  function renderAttachment(a) {
    const item = el("li", { className: "attachment kind-" + a.kind, "data-id": a.id });
    const thumb = el("a", { className: "thumb", href: a.download_url });
    if (a.thumbnail_url) {
      thumb.appendChild(el("img", { src: a.thumbnail_url, alt: a.caption || a.original_name || "" }));
    } else {
      thumb.className = "thumb file";
      thumb.textContent = fileBadge(a.content_type);
    }
    item.appendChild(thumb);
    const meta = el("div", { className: "meta" });
    meta.appendChild(el("span", { className: "badge" }, kindLabel(a.kind)));
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(el("a", { className: "name", href: a.download_url }, a.original_name || "（未命名文件）"));
    meta.appendChild(el("span", { className: "muted size" }, sizeText(a.size || 0)));
    if (a.form_version) meta.appendChild(el("span", { className: "small muted form-version" }, "推荐表版本码 " + a.form_version));
    if (a.caption) meta.appendChild(el("div", { className: "caption" }, a.caption));
    item.appendChild(meta);
    const del = el("button", { type: "button", className: "secondary small", "data-delete-url": urlFor(attachments.dataset.attachmentUrl, a.id) }, "删除");
    item.appendChild(del);
    return item;
  }

  function syncEmpty() {
    const empty = $("attachments-empty");
    if (empty) empty.hidden = list.children.length > 0;
  }

  function showUploadErrors(messages) {
    uploadErrors.textContent = "";
    messages.forEach((m) => uploadErrors.appendChild(el("li", {}, m)));
  }

  function onKindChange() {
    const kind = kindSelect.value;
    fileInput.setAttribute("accept", (limits.kinds[kind] || {}).accept || "");
    captionField.hidden = kind !== "photo";
  }

  function onFileChange() {
    if (previewUrl) { URL.revokeObjectURL(previewUrl); previewUrl = null; }
    preview.textContent = "";
    const file = fileInput.files && fileInput.files[0];
    const chosen = $("upload-filename");
    if (chosen) chosen.textContent = file ? file.name : "未选择文件";
    if (!file) { preview.hidden = true; return; }
    if (/^image\/(jpeg|png)$/.test(file.type)) {
      previewUrl = URL.createObjectURL(file);
      preview.appendChild(el("img", { src: previewUrl, alt: "待上传的照片" }));
      if (kindSelect.value !== "photo") { kindSelect.value = "photo"; onKindChange(); }
    } else if (file.type === "application/pdf" && kindSelect.value === "photo") {
      kindSelect.value = "stamped_form";
      onKindChange();
    }
    preview.appendChild(el("span", {}, "待上传：" + file.name + "（" + sizeText(file.size) + "）"));
    preview.hidden = false;
  }

  function upload(event) {
    event.preventDefault();
    showUploadErrors([]);
    const file = fileInput.files && fileInput.files[0];
    const kind = kindSelect.value;
    const caption = captionInput.value.trim();
    const limit = limits.kinds[kind];
    const problems = [];
    if (!file) problems.push("请选择要上传的文件。");
    if (kind === "photo" && !caption) problems.push("照片说明：上传照片须填写说明。");
    if (file && limit && file.size > limit.maxBytes) problems.push(kindLabel(kind) + "不能超过 " + limit.maxText + "。");
    if (problems.length) { showUploadErrors(problems); return; }
    uploadButton.disabled = true;
    uploadStatus.textContent = "正在上传…";
    const ready = state.id ? Promise.resolve(true) : autosave.save({ force: true });
    ready.then(() => {
      if (!state.id) throw new Error("草稿尚未保存，不能上传附件。");
      const data = new FormData();
      data.append("file", file);
      data.append("kind", kind);
      data.append("caption", caption);
      return request("POST", urlFor(attachments.dataset.uploadUrl, state.id), data);
    }).then((response) => readJson(response).then((json) => {
      if (response.status === 201) {
        // A new stamped form replaces the old one on the server: the same here.
        if (json.kind === "stamped_form") list.querySelectorAll(".kind-stamped_form").forEach((old) => old.remove());
        list.appendChild(renderAttachment(json));
        syncEmpty();
        uploadStatus.textContent = "已上传：" + (json.original_name || file.name);
        fileInput.value = "";
        captionInput.value = "";
        onFileChange();
        refreshChecklist();
        return;
      }
      const error = errorOf(json);
      let messages = [];
      Object.keys(error.fields || {}).forEach((k) => { messages = messages.concat(error.fields[k]); });
      if (response.status === 413) messages.push("文件过大，不能上传。");
      if (!messages.length) messages.push(error.message || "上传失败（" + response.status + "）。");
      else if (error.message && messages.indexOf(error.message) < 0 && response.status !== 400) messages.unshift(error.message);
      showUploadErrors(messages);
      uploadStatus.textContent = "";
    })).catch((err) => {
      showUploadErrors([err && err.message && /[\u4e00-\u9fff]/.test(err.message) ? err.message : "网络连接失败，上传未完成。"]);
      uploadStatus.textContent = "";
    }).then(() => { uploadButton.disabled = false; });
  }

  function onListClick(event) {
    const button = event.target.closest("[data-delete-url]");
    if (!button) return;
    if (!window.confirm("确定删除该附件吗？")) return;
    button.disabled = true;
    request("DELETE", button.dataset.deleteUrl).then((response) => {
      if (response.status === 204 || response.status === 404) {
        button.closest("li").remove();
        syncEmpty();
        refreshChecklist();
        return;
      }
      return readJson(response).then((json) => {
        showUploadErrors([errorOf(json).message || "删除失败（" + response.status + "）。"]);
        button.disabled = false;
      });
    }).catch(() => {
      showUploadErrors(["网络连接失败，附件未删除。"]);
      button.disabled = false;
    });
  }

  if (uploadForm) {
    kindSelect.addEventListener("change", onKindChange);
    fileInput.addEventListener("change", onFileChange);
    uploadForm.addEventListener("submit", upload);
    onKindChange();
  }
  if (list) list.addEventListener("click", onListClick);
}
