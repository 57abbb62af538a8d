/* The charts of the reports page, drawn by Chart.js (static/vendor/chartjs) from the data
   each report puts in a <script type="application/json"> (json_script): the page has no
   inline code, as the Content-Security-Policy demands. The table under each chart holds
   the same figures for screen readers, printing and copying. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }

  // One colour per kind of series, the same in every chart.
  var COLOURS = {
    inbound: "#198754",
    outbound: "#0d6efd",
    "inbound-listed": "#198754",
    "inbound-declared": "#75b798",
    "outbound-listed": "#0d6efd",
    "outbound-declared": "#6ea8fe",
    total: "#6f42c1"
  };
  var BAR_REM = 1.8;  // height given to each bar of a horizontal chart

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var horizontal = Boolean(spec.horizontal);
    if (horizontal) {
      // Setting a style from a script is allowed by the policy (no inline style attribute).
      canvas.parentElement.style.height = Math.max(8, 4 + spec.labels.length * BAR_REM) + "rem";
    }
    var valueAxis = { stacked: Boolean(spec.stacked), beginAtZero: true, ticks: { precision: 0 } };
    var labelAxis = { stacked: Boolean(spec.stacked) };
    canvas.chart = new window.Chart(canvas, {
      type: spec.type || "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (series) {
          return {
            label: series.label,
            data: series.data,
            stack: series.stack,
            backgroundColor: COLOURS[series.key] || "#6c757d"
          };
        })
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
        plugins: { legend: { display: spec.datasets.length > 1, position: "bottom" } }
      }
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
