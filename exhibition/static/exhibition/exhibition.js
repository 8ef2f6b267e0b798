// The hall's filters apply as soon as a choice changes (the button is kept for readers without JavaScript).
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) return;
  document.documentElement.classList.add("js");
  form.addEventListener("change", function (event) {
    var target = event.target;
    var resets = (target.getAttribute("data-resets") || "").split(" ");
    resets.forEach(function (name) {
      if (form.elements[name]) form.elements[name].value = "";
    });
    // Leave empty choices out of the address.
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.value === "") el.disabled = true;
    });
    form.submit();
  });
})();
