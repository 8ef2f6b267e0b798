/*
 * DOM helpers shared by the page scripts (plain ES modules, no build):
 * building elements, the autosave status line, the notice with a reload
 * button, the server's configuration rendered with json_script, and the API's
 * per-field errors shown under their fields ([data-errors-for="<name>"]).
 */

export const byId = (id) => document.getElementById(id);

/** The JSON a template rendered with {{ value|json_script:"id" }}, or null. */
export function readConfig(id) {
  const node = byId(id);
  return node ? JSON.parse(node.textContent) : null;
}

export function el(tag, attrs, text) {
  const node = document.createElement(tag);
  Object.keys(attrs || {}).forEach((k) => {
    if (k === "className") node.className = attrs[k]; else node.setAttribute(k, attrs[k]);
  });
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

/** The autosave status line: kind is "muted" (default), "saved" or "failed". */
export function setStatus(node, text, kind) {
  if (!node) return;
  node.textContent = text;
  node.className = "autosave " + (kind || "muted");
}

/** Shows a notice; with `reload` (the button's label) it offers to reload the page. */
export function showNotice(node, text, { reload, reloadId, scroll } = {}) {
  node.textContent = text + " ";
  if (reload) {
    const attrs = { type: "button", className: "small" };
    if (reloadId) attrs.id = reloadId;
    const button = el("button", attrs, reload);
    button.addEventListener("click", () => window.location.reload());
    node.appendChild(button);
  }
  node.hidden = false;
  if (scroll) node.scrollIntoView({ block: "center", behavior: "smooth" });
}

function markField(list, on) {
  const row = list.closest(".criterion") || list.closest(".field");
  if (row) row.classList.toggle("has-error", on);
}

/** Replaces the errors shown for `name`; answers false when the page has no place for them. */
export function setErrors(root, name, messages) {
  const list = root.querySelector('[data-errors-for="' + name + '"]');
  if (!list) return false;
  list.textContent = "";
  (messages || []).forEach((m) => list.appendChild(el("li", {}, m)));
  markField(list, Boolean(messages && messages.length));
  return true;
}

/**
 * Shows the API's field errors ({path: [messages]}) under their fields, the
 * path mapped to a field name by `key`. Answers {named: {name: true}} of the
 * fields in error and `other`, the messages that belong to no field shown.
 */
export function showFieldErrors(root, fields, key = (path) => path) {
  const grouped = {};
  const other = [];
  Object.keys(fields || {}).forEach((path) => {
    const name = key(path);
    if (!root.querySelector('[data-errors-for="' + name + '"]')) {
      other.push(...fields[path]);
      return;
    }
    grouped[name] = (grouped[name] || []).concat(fields[path]);
  });
  const named = {};
  Object.keys(grouped).forEach((name) => {
    setErrors(root, name, grouped[name]);
    named[name] = true;
  });
  return { named, other };
}

/** Clears every field's errors except those of the fields named in `keep`. */
export function clearErrors(root, keep) {
  root.querySelectorAll("[data-errors-for]").forEach((list) => {
    if (keep && keep[list.dataset.errorsFor]) return;
    list.textContent = "";
    markField(list, false);
  });
}
