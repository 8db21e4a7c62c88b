// outreach review: keyboard shortcuts and an "unsaved text" warning. Every action also works without it.
(function () {
  "use strict";
  var submitting = false;

  function fields() {
    return Array.prototype.slice.call(document.querySelectorAll("article.entry textarea[name=text]"));
  }

  function needingWork() {
    return fields().filter(function (t) { return t.closest("article.entry.needs-work"); });
  }

  function move(from, step) {
    var list = needingWork();
    if (!list.length) { return; }
    if (!from && document.activeElement && document.activeElement.closest) {
      var article = document.activeElement.closest("article.entry");
      from = article ? article.querySelector("textarea[name=text]") : null;
    }
    var i = list.indexOf(from);
    if (i < 0) {
      // from outside the list: the first one below (or above) the current position
      var all = fields(), at = all.indexOf(from);
      i = step > 0 ? -1 : list.length;
      if (at >= 0) {
        for (var k = 0; k < list.length; k++) {
          if (all.indexOf(list[k]) > at) { i = step > 0 ? k - 1 : k; break; }
        }
      }
    }
    var next = list[(i + step + list.length) % list.length];
    next.focus();
    next.scrollIntoView({block: "center"});
  }

  function press(form, action) {
    var button = form.querySelector("button[name=action][value=" + action + "]");
    if (!button) { return; }
    if (form.requestSubmit) { form.requestSubmit(button); } else { button.click(); }
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var inText = target && target.tagName === "TEXTAREA";
    var mod = event.ctrlKey || event.metaKey;
    if (inText && mod && event.key === "Enter") {
      event.preventDefault();
      press(target.form, "accept");
    } else if (inText && mod && (event.key === "s" || event.key === "S")) {
      event.preventDefault();
      press(target.form, "draft");
    } else if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      move(inText ? target : null, event.key === "ArrowDown" ? 1 : -1);
    } else if (!inText && !mod && !event.altKey && (event.key === "j" || event.key === "k")) {
      var tag = target && target.tagName;
      if (tag === "INPUT" || tag === "SELECT" || (target && target.isContentEditable)) { return; }
      event.preventDefault();
      move(null, event.key === "j" ? 1 : -1);
    }
  });

  document.addEventListener("input", function (event) {
    var t = event.target;
    if (t.tagName === "TEXTAREA" && t.hasAttribute("data-saved")) {
      t.classList.toggle("edited", t.value !== t.getAttribute("data-saved"));
    }
  });

  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    submitting = true;
  });

  window.addEventListener("beforeunload", function (event) {
    if (submitting) { return; }
    if (document.querySelector("textarea.edited")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
}());
