// Small keyboard and form helpers; every page also works without them.
(function () {
  "use strict";
  document.addEventListener("keydown", function (ev) {
    var t = ev.target, typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");
    // "/" focuses the search box, as on many sites.
    if (ev.key === "/" && !typing) {
      var q = document.querySelector("input[type=search]");
      if (q) { ev.preventDefault(); q.focus(); q.select(); }
    }
    // Ctrl/⌘+Enter submits the form being edited.
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && t && t.form) {
      ev.preventDefault();
      t.form.requestSubmit();
    }
  });
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-add-answer]");
    if (!btn) return;
    var items = btn.parentNode.querySelectorAll(".answer-item");
    var last = items[items.length - 1];
    var copy = last.cloneNode(true);
    var area = copy.querySelector("textarea");
    area.value = ""; area.required = false;
    copy.querySelector(".sr").textContent = "答案 " + (items.length + 1);
    btn.parentNode.insertBefore(copy, btn);
    area.focus();
  });
  // Tables of form rows (the scorecard model): 添加 copies the table's last row, emptied; 删除 takes a
  // row out (the last one left is emptied instead: a blank row is not saved).
  document.addEventListener("click", function (ev) {
    var add = ev.target.closest && ev.target.closest("[data-add-row]");
    var body = add && document.getElementById(add.dataset.addRow);
    if (body) {
      var rows = body.querySelectorAll("tr");
      var copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll("input").forEach(function (i) { i.value = ""; });
      copy.querySelectorAll("select").forEach(function (s) { s.selectedIndex = 0; });
      body.appendChild(copy);
      copy.querySelector("input").focus();
      return;
    }
    var del = ev.target.closest && ev.target.closest("[data-remove-row]");
    var row = del && del.closest("tr");
    if (!row) return;
    if (row.parentNode.querySelectorAll("tr").length > 1) { row.remove(); return; }
    row.querySelectorAll("input").forEach(function (i) { i.value = ""; });
    row.querySelectorAll("select").forEach(function (s) { s.selectedIndex = 0; });
  });
  // Instead of inline handlers (the Content-Security-Policy allows no inline script):
  // a select that submits its form when changed, a button that fills a field.
  document.addEventListener("change", function (ev) {
    if (ev.target.matches && ev.target.matches("[data-submit-on-change]") && ev.target.form) ev.target.form.submit();
  });
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-fill]");
    var field = btn && document.getElementById(btn.dataset.fill);
    if (field) field.value = btn.dataset.value;
  });
  // An htmx request that fails shows the server's message instead of doing nothing.
  document.addEventListener("htmx:responseError", function (ev) {
    var toast = document.getElementById("toast");
    if (!toast) return;
    var doc = new DOMParser().parseFromString(ev.detail.xhr.responseText, "text/html");
    toast.textContent = (doc.body.textContent || "").trim() || "操作失败，请刷新页面后重试。";
    toast.hidden = false;
  });
})();
