/* The units-and-accounts pages: the “打印” button of the one-time password sheet. */
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
