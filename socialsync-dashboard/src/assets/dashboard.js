// socialsync dashboard: tab keyboard navigation, the live scan monitor and
// live connection tables. Plain script, no dependencies.
(function () {
  "use strict";

  // Tabs: one tab stop; arrows, Home and End move between tabs; Enter or
  // Space opens the focused one.
  var tabs = Array.prototype.slice.call(document.querySelectorAll('[role="tab"]'));
  tabs.forEach(function (tab, i) {
    tab.tabIndex = tab.getAttribute("aria-selected") === "true" ? 0 : -1;
    tab.addEventListener("keydown", function (e) {
      var next = null;
      if (e.key === "ArrowRight") next = tabs[(i + 1) % tabs.length];
      else if (e.key === "ArrowLeft") next = tabs[(i - 1 + tabs.length) % tabs.length];
      else if (e.key === "Home") next = tabs[0];
      else if (e.key === "End") next = tabs[tabs.length - 1];
      else if (e.key === " ") { e.preventDefault(); tab.click(); return; }
      if (next) {
        e.preventDefault();
        tab.tabIndex = -1;
        next.tabIndex = 0;
        next.focus();
      }
    });
  });

  // The scan monitor.
  var rows = document.getElementById("monitor-rows");
  if (rows && window.EventSource) {
    var status = document.getElementById("live-status");
    var max = parseInt(rows.getAttribute("data-max"), 10) || 100;
    var highlightMs = parseInt(rows.getAttribute("data-highlight-ms"), 10) || 4000;
    var source = new EventSource(rows.getAttribute("data-stream"));
    var setStatus = function (text, live) {
      status.textContent = text;
      status.classList.toggle("live", live);
    };
    source.onopen = function () { setStatus("● Live", true); };
    source.onerror = function () { setStatus("Reconnecting…", false); };
    var add = function (e) {
      if (e.lastEventId && document.getElementById("ev-" + e.lastEventId)) return;
      rows.insertAdjacentHTML("afterbegin", e.data);
      var row = rows.firstElementChild;
      var empty = document.getElementById("monitor-empty");
      if (empty) empty.remove();
      if (row && row.classList.contains("changed")) {
        row.classList.add("fresh");
        row.style.animationDuration = highlightMs + "ms";
        Array.prototype.forEach.call(row.cells, function (c) { c.style.animationDuration = highlightMs + "ms"; });
        setTimeout(function () { row.classList.remove("fresh"); }, highlightMs);
      }
      while (rows.rows.length > max) rows.deleteRow(rows.rows.length - 1);
    };
    source.addEventListener("scan", add);
    source.addEventListener("connection", add);
    source.addEventListener("lagged", function () {
      var notice = document.getElementById("lag-notice");
      if (notice) notice.hidden = false;
    });
  }

  // Connection tables: refreshed when a connection changes.
  var panel = document.getElementById("connections");
  if (panel && window.EventSource && window.fetch) {
    var refresh = function () {
      fetch(panel.getAttribute("data-fragment"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) panel.innerHTML = html; });
    };
    // The stream starts after the newest event the page was rendered with
    // and resumes with Last-Event-ID: no change is missed.
    var changes = new EventSource(panel.getAttribute("data-refresh-stream"));
    changes.addEventListener("connection", refresh);
  }
})();
