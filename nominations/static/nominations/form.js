/*
 * The nomination form page (nominations/form.html). Plain JavaScript, no build.
 *
 * - Draft autosave: a moment after the officer stops typing, the form is sent
 *   to the JSON API (POST /api/v1/nominations/ the first time on a new page,
 *   then PATCH /api/v1/nominations/{id}/ with the `version` it was read at),
 *   with the session cookie and the CSRF token in the X-CSRFToken header.
 *   Per-field errors of the API's error shape {"error": {code, message,
 *   fields}} are shown under their fields and the other fields are saved
 *   anyway; a 409 (stale_version, window closed, not editable) stops autosave
 *   and shows the reason.
 * - Character counters for the fields with a limit (data-max).
 * - Attachments through the API: upload (multipart file/kind/caption) with a
 *   local preview, thumbnails of photos, file names of PDFs, delete.
 * - The completeness checklist (GET /nominations/{id}/checklist/) refreshed
 *   after every save and upload; the submit button is enabled when complete,
 *   and pending edits are saved before the page submits.
 */
(function () {
  "use strict";

  var form = document.getElementById("nomination-form");
  if (!form) return;

  var $ = function (id) { return document.getElementById(id); };
  var statusEl = $("autosave-status");
  var noticeEl = $("autosave-notice");
  var submitForm = $("submit-form");
  var submitButton = $("submit-button");
  var windowOpen = form.dataset.autosave === "on";

  var state = {
    id: form.dataset.nominationId ? Number(form.dataset.nominationId) : null,
    version: form.elements.version && form.elements.version.value ? Number(form.elements.version.value) : null,
    lastSaved: null,
    timer: null,
    saving: null,
    again: false,
    stopped: !windowOpen,
    hasErrors: false,
  };

  function urlFor(template, id) { return template.replace("/0/", "/" + id + "/"); }
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
  function request(method, url, body, extra) {
    var headers = { "X-CSRFToken": csrfToken(), "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" };
    var options = Object.assign({ method: method, headers: headers, credentials: "same-origin" }, extra || {});
    if (body instanceof FormData) {
      options.body = body;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options);
  }
  function readJson(response) { return response.json().catch(function () { return {}; }); }
  function errorOf(json) { return (json && json.error) || {}; }

  // ------------------------------------------------------------------ status line and notices

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "autosave " + (kind || "muted");
  }
  function showNotice(text, withReload) {
    noticeEl.textContent = text + " ";
    if (withReload) {
      var button = el("button", { type: "button", className: "small" }, "刷新页面");
      button.addEventListener("click", function () { window.location.reload(); });
      noticeEl.appendChild(button);
    }
    noticeEl.hidden = false;
  }
  function hhmm(iso) {
    var m = /T(\d{2}):(\d{2})/.exec(iso || "");
    if (m) return m[1] + ":" + m[2];
    var now = new Date();
    return String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
  }

  // ------------------------------------------------------------------ the form's values

  function inputs() { return Array.prototype.slice.call(form.querySelectorAll("[data-type]")); }

  function valueOf(input) {
    var text;
    switch (input.dataset.type) {
      case "bool": return input.checked;
      case "order": return input.value === "" ? null : Number(input.value);
      case "date": return input.value === "" ? null : input.value;
      case "int":
        text = input.value.trim();
        if (text === "") return null;
        return /^\d+$/.test(text) ? Number(text) : text;
      case "lines":
        return input.value.split(/\r?\n/).map(function (s) { return s.trim(); }).filter(Boolean);
      default:
        return input.value.replace(/\r\n?/g, "\n").trim();
    }
  }

  function payload(exclude) {
    var data = {};
    inputs().forEach(function (input) {
      if (!exclude || !exclude[input.name]) data[input.name] = valueOf(input);
    });
    return data;
  }

  // ------------------------------------------------------------------ per-field errors

  function baseName(path) { return String(path).split("[")[0].split(".")[0]; }

  function clearErrors(keep) {
    form.querySelectorAll("[data-errors-for]").forEach(function (list) {
      var name = list.dataset.errorsFor;
      if (keep && keep[name]) return;
      list.textContent = "";
      var field = list.closest(".field");
      if (field) field.classList.remove("has-error");
    });
  }

  // Shows the API's field errors; answers {name: true} of the fields in error
  // and the messages that belong to no field of the form.
  function showErrors(fields) {
    var named = {};
    var other = [];
    Object.keys(fields || {}).forEach(function (path) {
      var name = baseName(path);
      var list = form.querySelector('[data-errors-for="' + name + '"]');
      if (!list) { other = other.concat(fields[path]); return; }
      if (!named[name]) { list.textContent = ""; }
      named[name] = true;
      fields[path].forEach(function (message) { list.appendChild(el("li", {}, message)); });
      var field = list.closest(".field");
      if (field) field.classList.add("has-error");
    });
    return { named: named, other: other };
  }

  // ------------------------------------------------------------------ autosave

  function schedule(delay) {
    if (state.stopped) return;
    clearTimeout(state.timer);
    state.timer = setTimeout(function () { save(); }, delay);
  }

  function stop(message, withReload) {
    state.stopped = true;
    clearTimeout(state.timer);
    setStatus("自动保存已停止", "failed");
    showNotice(message, withReload);
  }

  // Saves the form; answers true when everything on the page is saved.
  function save(options) {
    options = options || {};
    if (state.stopped) return Promise.resolve(false);
    if (state.saving) {
      state.again = true;
      return state.saving;
    }
    var full = JSON.stringify(payload());
    if (!options.force && full === state.lastSaved) return Promise.resolve(!state.hasErrors);
    state.saving = send(payload(options.exclude), full, options).then(function (ok) {
      state.saving = null;
      if (state.again) { state.again = false; schedule(300); }
      return ok;
    });
    return state.saving;
  }

  function send(data, full, options) {
    setStatus("正在保存…");
    var creating = !state.id;
    var url, method;
    if (creating) {
      url = form.dataset.apiList;
      method = "POST";
      data.competition = Number(form.dataset.competition);
      data.category = Number(form.dataset.category);
    } else {
      url = form.dataset.apiList + state.id + "/";
      method = "PATCH";
      data.version = state.version;
    }
    return request(method, url, data, options.keepalive ? { keepalive: true } : undefined)
      .then(function (response) {
        return readJson(response).then(function (json) { return handle(response.status, json, full, options); });
      })
      .catch(function () {
        setStatus("网络连接失败，稍后自动重试。", "failed");
        schedule(10000);
        return false;
      });
  }

  function handle(status, json, full, options) {
    var error = errorOf(json);
    if (status === 200 || status === 201) {
      var created = !state.id;
      state.id = json.id;
      state.version = json.version;
      if (form.elements.version) form.elements.version.value = json.version;
      state.lastSaved = full;
      state.hasErrors = !!options.exclude;
      clearErrors(options.exclude);
      noticeEl.hidden = true;
      setStatus(
        (options.exclude ? "其余内容" : "") + "已自动保存 " + hhmm(json.updated_at) +
          (options.exclude ? "（标红的字段有误，未保存）" : ""),
        options.exclude ? "failed" : "saved"
      );
      renderWarnings(json.warnings || []);
      if (created) becameDraft(json.id);
      refreshChecklist();
      return !options.exclude;
    }
    if (status === 400) {
      var shown = showErrors(error.fields);
      var bad = Object.keys(shown.named);
      if (shown.other.length) showNotice(shown.other.join("；"));
      var remaining = Object.keys(payload()).filter(function (n) { return !shown.named[n]; });
      if (bad.length && remaining.length && !options.exclude) {
        // Save what is right; the fields in error stay marked until corrected.
        return send(payload(shown.named), full, Object.assign({}, options, { exclude: shown.named }));
      }
      state.lastSaved = full;
      state.hasErrors = true;
      setStatus("有 " + Math.max(bad.length, 1) + " 处填写有误，未能保存：" + (error.message || "请检查标红的字段。"), "failed");
      return false;
    }
    if (status === 409) {
      if (error.code === "stale_version") {
        stop((error.message || "这份推荐已在别处被修改（版本不一致）。") +
          "为避免覆盖别处的修改，自动保存已停止；请先复制本页未保存的内容，再刷新页面。", true);
      } else {
        stop(error.message || "当前状态下不能保存。");
        if (submitButton) submitButton.disabled = true;
      }
      return false;
    }
    if (status === 401 || status === 403) {
      stop("登录已失效或无权修改这份推荐，请重新登录后再编辑（请先复制未保存的内容）。");
      return false;
    }
    if (status === 404) {
      stop("这份推荐不存在或已被删除。");
      return false;
    }
    setStatus("保存失败（" + (error.message || "服务器错误 " + status) + "），稍后自动重试。", "failed");
    schedule(15000);
    return false;
  }

  function becameDraft(id) {
    form.dataset.nominationId = id;
    var editUrl = urlFor(form.dataset.editUrl, id);
    form.action = editUrl;
    ["competition", "category"].forEach(function (name) {
      var hidden = form.querySelector('input[type=hidden][name="' + name + '"]');
      if (hidden) hidden.remove();
    });
    if (window.history && window.history.replaceState) window.history.replaceState(null, "", editUrl);
    if (submitForm) submitForm.action = urlFor(form.dataset.submitUrl, id);
    var title = $("page-title");
    if (title) title.textContent = title.textContent.replace("新建推荐", "编辑推荐");
    var disabled = $("attachments-disabled");
    if (disabled) disabled.hidden = true;
    var upload = $("upload-form");
    if (upload && windowOpen) upload.hidden = false;
  }

  function flush(options) {
    clearTimeout(state.timer);
    var pending = state.saving || Promise.resolve(true);
    return pending.then(function () { return save(options); });
  }

  // ------------------------------------------------------------------ warnings and checklist

  function renderWarnings(warnings) {
    var card = $("warnings-card");
    var list = $("warnings");
    if (!card || !list) return;
    list.textContent = "";
    warnings.forEach(function (w) { list.appendChild(el("li", {}, w.message)); });
    card.hidden = warnings.length === 0;
  }

  function renderChecklist(data) {
    var box = $("checklist");
    box.textContent = "";
    if (data.complete) {
      box.appendChild(el("p", { className: "ok" }, "✓ 材料已齐全，可以提交。"));
    } else {
      box.appendChild(el("p", {}, "还差以下 " + data.missing.length + " 项："));
      var list = el("ul", { className: "checklist" });
      data.missing.forEach(function (item) { list.appendChild(el("li", {}, item.message)); });
      box.appendChild(list);
    }
    if (submitButton) submitButton.disabled = !data.complete || !windowOpen;
  }

  function refreshChecklist() {
    if (!state.id) return Promise.resolve(null);
    return fetch(urlFor(form.dataset.checklistUrl, state.id), {
      credentials: "same-origin", headers: { "Accept": "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) renderChecklist(data); return data; })
      .catch(function () { return null; });
  }

  // ------------------------------------------------------------------ character counters

  form.querySelectorAll("textarea[data-max]").forEach(function (area) {
    var max = Number(area.dataset.max);
    // Over-long text is shown in red and refused by the server, not cut off silently.
    area.removeAttribute("maxlength");
    var counter = el("div", { className: "counter", "aria-live": "polite" });
    area.insertAdjacentElement("afterend", counter);
    var update = function () {
      var count = Array.from(area.value.replace(/\r\n?/g, "\n")).length;
      counter.textContent = "已输入 " + count + " / " + max + " 字" + (count > max ? "，超出 " + (count - max) + " 字" : "");
      counter.classList.toggle("over", count > max);
    };
    area.addEventListener("input", update);
    update();
  });

  // ------------------------------------------------------------------ wiring the form

  state.lastSaved = JSON.stringify(payload());
  if (state.id && form.querySelector(".has-error")) state.lastSaved = null;

  form.addEventListener("input", function () { schedule(1500); });
  form.addEventListener("change", function () { schedule(400); });
  form.addEventListener("submit", function (event) {
    if (state.stopped) return; // the server-side save shows its own messages
    event.preventDefault();
    flush({ force: true });
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush({ keepalive: true });
  });

  if (submitForm) {
    submitForm.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!state.id) return;
      submitButton.disabled = true;
      var before = submitButton.textContent;
      submitButton.textContent = "正在提交…";
      var restore = function () { submitButton.textContent = before; };
      flush().then(function (saved) {
        if (!saved && !state.stopped && state.hasErrors) {
          restore();
          submitButton.disabled = false;
          setStatus("请先改正标红的字段，再提交。", "failed");
          return;
        }
        return refreshChecklist().then(function (data) {
          if (data && data.complete) {
            HTMLFormElement.prototype.submit.call(submitForm);
          } else {
            restore();
          }
        });
      });
    });
  }

  // ------------------------------------------------------------------ attachments

  var attachments = $("attachments");
  var list = $("attachment-list");
  var uploadForm = $("upload-form");
  var kindSelect = $("upload-kind");
  var fileInput = $("upload-file");
  var captionField = $("caption-field");
  var captionInput = $("upload-caption");
  var preview = $("upload-preview");
  var uploadErrors = $("upload-errors");
  var uploadStatus = $("upload-status");
  var uploadButton = $("upload-button");
  var ACCEPT = {
    stamped_form: "application/pdf,.pdf",
    other: "application/pdf,.pdf",
    photo: "image/jpeg,image/png,.jpg,.jpeg,.png",
    video: "video/mp4,.mp4",
  };
  var previewUrl = null;

  function kindLabel(kind) {
    var option = kindSelect && kindSelect.querySelector('option[value="' + kind + '"]');
    return option ? option.textContent : kind;
  }
  function sizeText(bytes) {
    if (bytes < 1024) return bytes + " 字节";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }
  function fileBadge(contentType) {
    if (contentType === "video/mp4") return "MP4";
    if (contentType === "application/pdf") return "PDF";
    return "文件";
  }

  function renderAttachment(a) {
    var item = el("li", { className: "attachment kind-" + a.kind, "data-id": a.id });
    var thumb = el("a", { className: "thumb", href: a.download_url });
    if (a.thumbnail_url) {
      thumb.appendChild(el("img", { src: a.thumbnail_url, alt: a.caption || a.original_name || "" }));
    } else {
      thumb.className = "thumb file";
      thumb.textContent = fileBadge(a.content_type);
    }
    item.appendChild(thumb);
    var meta = el("div", { className: "meta" });
    meta.appendChild(el("span", { className: "badge" }, kindLabel(a.kind)));
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(el("a", { className: "name", href: a.download_url }, a.original_name || "（未命名文件）"));
    meta.appendChild(el("span", { className: "muted size" }, sizeText(a.size || 0)));
    if (a.caption) meta.appendChild(el("div", { className: "caption" }, a.caption));
    item.appendChild(meta);
    var del = el("button", { type: "button", className: "secondary small", "data-delete-url": urlFor(attachments.dataset.attachmentUrl, a.id) }, "删除");
    item.appendChild(del);
    return item;
  }

  function syncEmpty() {
    var empty = $("attachments-empty");
    if (empty) empty.hidden = list.children.length > 0;
  }

  function showUploadErrors(messages) {
    uploadErrors.textContent = "";
    messages.forEach(function (m) { uploadErrors.appendChild(el("li", {}, m)); });
  }

  function onKindChange() {
    var kind = kindSelect.value;
    fileInput.setAttribute("accept", ACCEPT[kind] || "");
    captionField.hidden = kind !== "photo";
  }

  function onFileChange() {
    if (previewUrl) { URL.revokeObjectURL(previewUrl); previewUrl = null; }
    preview.textContent = "";
    var file = fileInput.files && fileInput.files[0];
    var chosen = $("upload-filename");
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
    var file = fileInput.files && fileInput.files[0];
    var kind = kindSelect.value;
    var caption = captionInput.value.trim();
    var problems = [];
    if (!file) problems.push("请选择要上传的文件。");
    if (kind === "photo" && !caption) problems.push("照片说明：上传照片须填写说明。");
    if (file && kind === "video" && file.size > 20 * 1024 * 1024) problems.push("视频不能超过 20 MB。");
    if (problems.length) { showUploadErrors(problems); return; }
    uploadButton.disabled = true;
    uploadStatus.textContent = "正在上传…";
    var ready = state.id ? Promise.resolve(true) : flush({ force: true });
    ready.then(function () {
      if (!state.id) throw new Error("草稿尚未保存，不能上传附件。");
      var data = new FormData();
      data.append("file", file);
      data.append("kind", kind);
      data.append("caption", caption);
      return request("POST", urlFor(attachments.dataset.uploadUrl, state.id), data);
    }).then(function (response) {
      return readJson(response).then(function (json) {
        if (response.status === 201) {
          list.appendChild(renderAttachment(json));
          syncEmpty();
          uploadStatus.textContent = "已上传：" + (json.original_name || file.name);
          fileInput.value = "";
          captionInput.value = "";
          onFileChange();
          refreshChecklist();
          return;
        }
        var error = errorOf(json);
        var messages = [];
        Object.keys(error.fields || {}).forEach(function (k) { messages = messages.concat(error.fields[k]); });
        if (response.status === 413) messages.push("文件过大，不能上传。");
        if (!messages.length) messages.push(error.message || "上传失败（" + response.status + "）。");
        else if (error.message && messages.indexOf(error.message) < 0 && response.status !== 400) messages.unshift(error.message);
        showUploadErrors(messages);
        uploadStatus.textContent = "";
      });
    }).catch(function (err) {
      showUploadErrors([err && err.message && /[\u4e00-\u9fff]/.test(err.message) ? err.message : "网络连接失败，上传未完成。"]);
      uploadStatus.textContent = "";
    }).then(function () { uploadButton.disabled = false; });
  }

  function onListClick(event) {
    var button = event.target.closest("[data-delete-url]");
    if (!button) return;
    if (!window.confirm("确定删除该附件吗？")) return;
    button.disabled = true;
    request("DELETE", button.dataset.deleteUrl).then(function (response) {
      if (response.status === 204 || response.status === 404) {
        button.closest("li").remove();
        syncEmpty();
        refreshChecklist();
        return;
      }
      return readJson(response).then(function (json) {
        showUploadErrors([errorOf(json).message || "删除失败（" + response.status + "）。"]);
        button.disabled = false;
      });
    }).catch(function () {
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
})();
