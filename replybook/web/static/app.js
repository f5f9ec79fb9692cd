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
