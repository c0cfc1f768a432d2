/* Link chart: an entity and its relationships, expanded neighbour by neighbour (Cytoscape.js). */
"use strict";
(function () {
  var box = document.getElementById("chart");
  if (!box || typeof cytoscape === "undefined") { return; }
  var rtl = document.documentElement.dir === "rtl";
  var chart = cytoscape({
    container: box,
    style: [
      { selector: "node", style: { "label": "data(label)", "font-size": 11, "text-wrap": "wrap", "text-max-width": 120,
        "background-color": "#0b5cad", "color": "#1b1f24", "text-valign": "bottom", "text-margin-y": 4 } },
      { selector: "node[schema = 'Organization'], node[schema = 'Company']", style: { "shape": "round-rectangle", "background-color": "#7a4bb0" } },
      { selector: "node.root", style: { "background-color": "#a4161a" } },
      { selector: "edge", style: { "label": "data(label)", "font-size": 9, "curve-style": "bezier",
        "target-arrow-shape": "triangle", "line-color": "#9aa4b0", "target-arrow-color": "#9aa4b0" } }
    ],
    layout: { name: "grid" }
  });
  var loaded = {};
  function expand(id, root) {
    if (loaded[id]) { return; }
    loaded[id] = true;
    fetch("/entities/" + encodeURIComponent(id) + "/graph.json", { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { nodes: [], edges: [] }; })
      .then(function (graph) {
        graph.nodes.forEach(function (n) {
          if (chart.getElementById(n.id).empty()) { chart.add({ group: "nodes", data: n, classes: n.id === root ? "root" : "" }); }
        });
        graph.edges.forEach(function (e) {
          if (chart.getElementById(e.id + ":" + e.source + ":" + e.target).empty()) {
            chart.add({ group: "edges", data: { id: e.id + ":" + e.source + ":" + e.target, source: e.source, target: e.target, label: e.label } });
          }
        });
        chart.layout({ name: "cose", animate: false, nodeDimensionsIncludeLabels: true }).run();
        if (rtl) { chart.nodes().forEach(function (n) { n.position("x", -n.position("x")); }); }
      });
  }
  chart.on("tap", "node", function (event) { expand(event.target.id()); });
  chart.on("dbltap", "node", function (event) { window.location = "/entities/" + encodeURIComponent(event.target.id()); });
  expand(box.dataset.entity, box.dataset.entity);
})();
