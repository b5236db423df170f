// The book's page behaviour: handouts without solutions, and graphs opened full size.
(function () {
  "use strict";

  function markSolutions() {
    document.querySelectorAll(".admonition.dropdown").forEach(function (box) {
      var title = box.querySelector(".admonition-title");
      if (title && /^\s*Solution\b/.test(title.textContent)) box.classList.add("bp-solution");
    });
  }

  // "?handout" in the URL, or the button by the exercises, prints the chapter without solutions.
  function handoutButton() {
    var heading = Array.from(document.querySelectorAll("h2")).find(function (h) { return /^\s*Exercises/.test(h.textContent); });
    if (!heading || !document.querySelector(".bp-solution")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-secondary bp-print-handout-button";
    button.textContent = "Print without solutions";
    button.addEventListener("click", function () {
      document.documentElement.classList.add("bp-handout");
      window.print();
    });
    var wrap = document.createElement("p");
    wrap.className = "bp-handout-control";
    wrap.appendChild(button);
    heading.insertAdjacentElement("afterend", wrap);
  }

  window.addEventListener("afterprint", function () {
    if (!/[?&]handout\b/.test(location.search)) document.documentElement.classList.remove("bp-handout");
  });

  // A graph wider than its panel scrolls; this opens the drawing alone, at full size.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".bp-graph-open");
    if (!button) return;
    var graph = button.closest(".bp-graph-figure").querySelector(".bp-graph svg");
    var blob = new Blob([new XMLSerializer().serializeToString(graph)], {type: "image/svg+xml"});
    window.open(URL.createObjectURL(blob), "_blank", "noopener");
  });

  function ready() {
    if (/[?&]handout\b/.test(location.search)) document.documentElement.classList.add("bp-handout");
    markSolutions();
    handoutButton();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
