/*
 * The public 公示 page's objection form (judging/publicity.html).
 *
 * Posts {"competition", "nomination", "name", "phone", "content"} as JSON to
 * the public API (POST /api/v1/public/objections/; no sign-in) and shows the
 * answer: 201 a thank-you with the receipt code and a link to its lookup, otherwise the Chinese messages of the error shape
 * {"error": {code, message, fields}} under their fields (400), or the
 * message alone (403 not from this site, 404 not on the list, 409 outside
 * 公示, 429 too many). JSON only: the API refuses form bodies (415). Without
 * JavaScript the same form posts to /publicity/<id>/objection/ (CSRF), which
 * calls the same service.
 */
(function () {
  "use strict";

  var form = document.getElementById("objection-form");
  if (!form) return;
  var messageEl = document.getElementById("objection-message");
  var button = document.getElementById("objection-submit");
  var content = document.getElementById("objection-content");
  var counter = document.getElementById("content-count");

  function list(name) { return form.querySelector('[data-errors-for="' + name + '"]'); }
  function clearErrors() {
    form.querySelectorAll("[data-errors-for]").forEach(function (node) {
      node.textContent = "";
      var field = node.closest(".field");
      if (field) field.classList.remove("has-error");
    });
    messageEl.hidden = true;
  }
  function fieldError(name, messages) {
    var node = list(name.split(".")[0]);
    if (!node) return false;
    messages.forEach(function (m) {
      var li = document.createElement("li");
      li.textContent = m;
      node.appendChild(li);
    });
    var field = node.closest(".field");
    if (field) field.classList.add("has-error");
    return true;
  }
  function say(text, kind) {
    messageEl.textContent = text;
    messageEl.className = "notice " + (kind || "");
    messageEl.hidden = false;
  }

  if (content && counter) {
    content.addEventListener("input", function () { counter.textContent = String(content.value.length); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var nomination = form.elements.nomination.value;
    if (!nomination) {
      fieldError("nomination", ["异议对象：请选择公示对象。"]);
      return;
    }
    var body = {
      competition: Number(form.dataset.competition),
      nomination: Number(nomination),
      name: form.elements.name.value.trim(),
      phone: form.elements.phone.value.trim(),
      content: form.elements.content.value.trim(),
    };
    button.disabled = true;
    fetch(form.dataset.url, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body),
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          if (response.status === 201) {
            form.reset();
            if (counter) counter.textContent = "0";
            say(json.message || "异议已收到，组委会办公室将依规核实处理。", "ok");
            if (json.receipt && form.dataset.lookup) {
              // The receipt, and the lookup page with it filled in (as without JavaScript).
              var link = document.createElement("a");
              link.href = form.dataset.lookup + "?receipt=" + encodeURIComponent(json.receipt);
              link.textContent = "查询处理结果";
              link.id = "objection-lookup-link";
              messageEl.appendChild(document.createTextNode(" "));
              messageEl.appendChild(link);
            }
            return;
          }
          var error = json.error || {};
          var other = [];
          Object.keys(error.fields || {}).forEach(function (name) {
            if (!fieldError(name, error.fields[name])) other = other.concat(error.fields[name]);
          });
          var text = error.message || "提交失败，请稍后重试。";
          if (other.length) text += " " + other.join(" ");
          say(text, "error");
        });
      })
      .catch(function () { say("网络连接异常，异议未提交，请稍后重试。", "error"); })
      .then(function () { button.disabled = false; });
  });
})();
