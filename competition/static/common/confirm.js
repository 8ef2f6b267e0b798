/*
 * Forms marked data-confirm="…" ask before they are sent (withdraw, delete a
 * draft, 回避申明, closing a round). Loaded as a module by every page that has one.
 */
document.addEventListener("submit", (event) => {
  const message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
}, true);
