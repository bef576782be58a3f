// Sends the CSRF token from the page's meta tag with every htmx request (Flask-WTF reads X-CSRFToken).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
  }
});

// "Copy link" buttons: shown only when the clipboard can be used; the field itself stays selectable without script.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copy") + "-status");
    if (!field || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) {
          status.textContent = button.getAttribute("data-copied");
        }
      });
    });
  });
});

// A refused form: move the focus to what went wrong, which also scrolls it into view: the form's error summary
// (tabindex="-1", see _forms.html), from where the next Tab goes to the links to the wrong fields, or, for an action
// refused before a redirect, the error it flashed (tabindex="-1", see base.html). A field the page focuses wins.
// On "load", not earlier: the browser's jump to a #fragment in the address resets the focus until then.
window.addEventListener("load", function () {
  if (document.activeElement !== null && document.activeElement !== document.body) {
    return;
  }
  var target =
    document.querySelector(".error-summary[tabindex]") || document.querySelector("main .flash-error[tabindex]");
  if (target) {
    target.focus();
  }
});
