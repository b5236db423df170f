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
    button.className = "bp-print-handout-button";
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

  // A graph may shrink to fit its column, but never below a readable text size; a wider one
  // scrolls sideways in its panel and gets a button that opens the drawing alone, full size.
  var MIN_TEXT_PX = 9.5;

  function smallestTextPt(svg) {
    var sizes = Array.from(svg.querySelectorAll("text[font-size]")).map(function (t) { return parseFloat(t.getAttribute("font-size")); });
    return sizes.length ? Math.min.apply(null, sizes) : 14;
  }

  function decorateGraphs(root) {
    (root || document).querySelectorAll(".bd-content .bp-graph").forEach(function (graph) {
      var svg = graph.querySelector("svg");
      if (!svg || graph.dataset.bpFitted) return;
      graph.dataset.bpFitted = "true";
      // Graphviz sizes its drawing in points; its text size is in the same units as its width.
      var width = parseFloat(svg.getAttribute("width"));
      var viewBox = svg.viewBox && svg.viewBox.baseVal;
      if (!width || !viewBox || !viewBox.width) return;
      var natural = width * 4 / 3;  // CSS px at the drawn size
      var textPx = smallestTextPt(svg) * natural / viewBox.width;
      svg.style.maxWidth = "100%";
      svg.style.height = "auto";
      svg.style.minWidth = Math.min(natural, natural * MIN_TEXT_PX / textPx).toFixed(1) + "px";
      if (graph.scrollWidth <= graph.clientWidth + 1) return;
      var tools = document.createElement("p");
      tools.className = "bp-graph-tools";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "bp-graph-open";
      button.textContent = "Open the graph full size";
      tools.appendChild(button);
      graph.insertAdjacentElement("afterend", tools);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".bp-graph-open");
    if (!button) return;
    var svg = button.parentElement.previousElementSibling.querySelector("svg");
    var blob = new Blob([new XMLSerializer().serializeToString(svg)], {type: "image/svg+xml"});
    window.open(URL.createObjectURL(blob), "_blank", "noopener");
  });

  // A figure's pane is redrawn on every slider move: give its new graph a button too.
  document.addEventListener("input", function (event) {
    var figure = event.target.closest && event.target.closest(".bp-interactive");
    if (figure) decorateGraphs(figure);
  });
  document.addEventListener("click", function (event) {
    var figure = event.target.closest && event.target.closest(".bp-step") && event.target.closest(".bp-interactive");
    if (figure) setTimeout(function () { decorateGraphs(figure); }, 0);
  });

  // Formulas are not Tab stops (the MathJax menu is off the Tab order), but one too wide for
  // the column scrolls, and a keyboard reader must be able to reach it to scroll it.
  function reachableWideMath() {
    var startup = window.MathJax && window.MathJax.startup && window.MathJax.startup.promise;
    if (!startup) return setTimeout(reachableWideMath, 200);
    startup.then(function () {
      document.querySelectorAll("div.math mjx-container, .math mjx-container[display=true]").forEach(function (box) {
        if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
      });
    });
  }

  function ready() {
    if (/[?&]handout\b/.test(location.search)) document.documentElement.classList.add("bp-handout");
    markSolutions();
    handoutButton();
    decorateGraphs(document);
    reachableWideMath();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
