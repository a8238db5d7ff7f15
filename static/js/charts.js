// minorprot: draws the dashboard charts with ECharts (static/vendor/echarts, never a CDN).
//
// Each chart is <div data-chart="ID"> beside <script type="application/json" id="ID">, both written by
// {% echart spec %} (reporting/templatetags/reporting_charts.py). The JSON is a complete ECharts option,
// built in Python by reporting.charts.echarts_option, so this file only hands it to setOption.
// Charts are decorative: the same numbers are in a table next to each one, so the container is
// aria-hidden. Without ECharts (or without JavaScript) the tables are still there and nothing fails.
(function () {
  "use strict";

  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var observer = window.ResizeObserver
    ? new ResizeObserver(function (entries) {
        entries.forEach(function (entry) {
          resize(entry.target);
        });
      })
    : null;

  function ready() {
    return typeof window.echarts !== "undefined";
  }

  function resize(el) {
    var chart = ready() && window.echarts.getInstanceByDom(el);
    if (chart) chart.resize();
  }

  function draw(el) {
    el.setAttribute("aria-hidden", "true");
    if (!ready()) return;
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) return;
    var option;
    try {
      option = JSON.parse(source.textContent);
    } catch (error) {
      return;
    }
    if (reducedMotion) option.animation = false;
    // htmx:load and htmx:afterSwap both announce the same new content; draw it once.
    if (window.echarts.getInstanceByDom(el)) return;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    // Also catches sizes that change without a window resize: a tab or collapse being shown.
    if (observer) observer.observe(el);
  }

  function drawWithin(root) {
    if (!root || !root.querySelectorAll) root = document;
    if (root.matches && root.matches("[data-chart]")) draw(root);
    root.querySelectorAll("[data-chart]").forEach(draw);
  }

  // htmx fires this on every element it is about to remove, descendants included.
  function dispose(el) {
    if (!ready() || !el || !el.matches || !el.matches("[data-chart]")) return;
    if (observer) observer.unobserve(el);
    var chart = window.echarts.getInstanceByDom(el);
    if (chart) chart.dispose();
  }

  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      document.querySelectorAll("[data-chart]").forEach(resize);
    });
  });

  // htmx: draw what was swapped in, and free the ECharts instances of what is swapped out.
  document.addEventListener("htmx:load", function (event) {
    drawWithin(event.detail && event.detail.elt);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    drawWithin(event.detail && (event.detail.target || event.detail.elt));
  });
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    dispose(event.detail && event.detail.elt);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      drawWithin(document);
    });
  } else {
    drawWithin(document);
  }
})();
