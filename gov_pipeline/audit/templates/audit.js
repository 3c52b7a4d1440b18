// Plain script, no library: highlight what a finding or fact names, show a number's fact, filter the index.
(function () {
  "use strict";
  function clearHighlights() {
    document.querySelectorAll(".hl").forEach(function (el) { el.classList.remove("hl"); });
  }
  function highlight(ids) {
    clearHighlights();
    var first = null;
    ids.forEach(function (id) {
      document.querySelectorAll(".t-" + id + ", #" + id).forEach(function (el) {
        el.classList.add("hl");
        if (!first) { first = el; }
      });
    });
    if (first) {
      var box = first.closest("details");
      if (box) { box.open = true; }
      first.scrollIntoView({block: "center"});
    }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-targets]");
    if (link) {
      event.preventDefault();
      highlight(link.getAttribute("data-targets").split(" ").filter(Boolean));
      return;
    }
    var number = event.target.closest("mark.n, td.fact, td.unknown");
    var info = document.getElementById("info");
    if (number && info) {
      info.textContent = number.getAttribute("title");
      info.hidden = false;
    } else if (info) {
      info.hidden = true;
    }
  });
  function applyFilters() {
    var filters = {};
    document.querySelectorAll("[data-filter]").forEach(function (input) {
      filters[input.getAttribute("data-filter")] = input.value.trim().toLowerCase();
    });
    var shown = 0;
    document.querySelectorAll("#files tbody tr").forEach(function (row) {
      var keep = Object.keys(filters).every(function (name) {
        var wanted = filters[name], value = (row.getAttribute("data-" + name) || "").toLowerCase();
        return !wanted || (name === "agency" ? value.indexOf(wanted) >= 0 : value === wanted);
      });
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    var counter = document.getElementById("shown");
    if (counter) { counter.textContent = String(shown); }
  }
  document.querySelectorAll("[data-filter]").forEach(function (input) {
    input.addEventListener("input", applyFilters);
    input.addEventListener("change", applyFilters);
  });
  if (location.hash.length > 1) {
    var target = document.getElementById(location.hash.slice(1));
    if (target && target.hasAttribute("data-targets")) {
      highlight(target.getAttribute("data-targets").split(" ").filter(Boolean));
    }
  }
})();
