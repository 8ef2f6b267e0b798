// The year setup's formsets (no framework): add a row from the empty form's <template>,
// mark a row deleted, and keep the running total (rubric: Σ 满分 × 权重 = 100;
// rounds: Σ 权重 = 1) up to date as the office types. The server checks the same
// totals and refuses a form that does not add up; this only shows it early.

const form = document.querySelector("form[data-formset]");

function number(input, scale) {
  // A decimal input as an integer in 1/scale units (no floating-point sums), or null.
  if (!input) return null;
  const text = input.value.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  return Math.round(Number(text) * scale);
}

function format(units, scale) {
  return (units / scale).toFixed(String(scale).length - 1).replace(/\.?0+$/, "");
}

if (form) {
  const prefix = form.dataset.formset;
  const totalForms = form.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  const list = form.querySelector("[data-rows]");
  const template = document.getElementById("empty-row");
  const output = form.querySelector("[data-total-output]");
  const mode = form.dataset.total; // "rubric", "weights" or undefined

  const rows = () => [...list.querySelectorAll("[data-row]")];
  const live = () => rows().filter((row) => !row.querySelector('input[name$="-DELETE"]')?.checked);

  function update() {
    let n = 0;
    for (const row of rows()) {
      const deleted = row.querySelector('input[name$="-DELETE"]')?.checked;
      row.classList.toggle("deleted", Boolean(deleted));
      const label = row.querySelector("[data-row-number]");
      if (label && !deleted) label.textContent = String(++n);
    }
    if (!output || !mode) return;
    let sum = 0;
    let unreadable = 0;
    for (const row of live()) {
      const field = (name) => row.querySelector(`[name$="-${name}"]`);
      if (mode === "rubric") {
        const points = number(field("max_points"), 10);
        const weight = number(field("weight"), 100);
        if (points === null || weight === null) unreadable += 1;
        else sum += points * weight; // in 1/1000 points
      } else {
        const weight = number(field("weight"), 1000);
        if (weight === null) unreadable += 1;
        else sum += weight; // in 1/1000
      }
    }
    const goal = mode === "rubric" ? 100000 : 1000; // 100 points, or a weight of 1, in 1/1000
    const shown = format(sum, 1000);
    const unit = mode === "rubric" ? " 分" : "";
    const want = mode === "rubric" ? "100 分" : "1";
    let text;
    if (sum === goal) text = `合计 ${shown}${unit}，符合要求（应为 ${want}）。`;
    else if (sum < goal) text = `合计 ${shown}${unit}，应为 ${want}，还差 ${format(goal - sum, 1000)}${unit}。`;
    else text = `合计 ${shown}${unit}，应为 ${want}，超出 ${format(sum - goal, 1000)}${unit}。`;
    if (unreadable) text += ` 有 ${unreadable} 行的数字未填好，未计入。`;
    output.textContent = text;
    output.classList.toggle("ok", sum === goal && !unreadable);
    output.classList.toggle("bad", sum !== goal || unreadable > 0);
  }

  form.querySelector("[data-add-row]")?.addEventListener("click", () => {
    const index = Number(totalForms.value);
    list.insertAdjacentHTML("beforeend", template.innerHTML.replaceAll("__prefix__", String(index)));
    totalForms.value = String(index + 1);
    update();
    list.lastElementChild?.querySelector("input:not([type=hidden]), select, textarea")?.focus();
  });
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
}
