/*
 * Requests to our JSON API from a signed-in page: the session cookie, the
 * CSRF token in X-CSRFToken, and the API's one error shape
 * {"error": {"code", "message", "fields"}}.
 */

// A keepalive request (one that outlives a closed tab) may carry at most 64 KB.
const KEEPALIVE_MAX_BYTES = 60000;

export function csrfToken(root = document) {
  const input = root.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

/**
 * fetch() with our headers. `body` is sent as JSON, or as multipart when it
 * is a FormData; `keepalive` asks the browser to finish the request after the
 * page is gone (when the body is small enough for it).
 */
export function request(method, url, body, { keepalive = false } = {}) {
  const headers = {
    "X-CSRFToken": csrfToken(),
    "Accept": "application/json",
    "X-Requested-With": "XMLHttpRequest",
  };
  const options = { method, headers, credentials: "same-origin" };
  if (body instanceof FormData) {
    options.body = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
    if (keepalive && new TextEncoder().encode(options.body).length < KEEPALIVE_MAX_BYTES) {
      options.keepalive = true;
    }
  }
  return fetch(url, options);
}

/** The answer's JSON, or {} when it has none. */
export function readJson(response) {
  return response.json().catch(() => ({}));
}

/** The API error's {code, message, fields}, or {}. */
export function errorOf(json) {
  return (json && json.error) || {};
}
