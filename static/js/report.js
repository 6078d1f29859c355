// The section editor's autosave (htmx posts the text; see templates/reviews/section_edit.html).
// If the session has ended, the autosave request is answered with the sign-in page: say so
// in the status line instead of pasting that page into it. The text stays in the editor and
// the last autosave is kept on the server, restored when the writer signs in again.
document.body.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.detail.target;
  if (!target || target.id !== "autosave-status") {
    return;
  }
  var xhr = event.detail.xhr;
  var signedOut = xhr.responseURL && xhr.responseURL.indexOf("/sign-in/") !== -1;
  if (signedOut || xhr.status >= 400) {
    event.detail.shouldSwap = false;
    target.textContent = signedOut
      ? "Not autosaved: you have been signed out. Your last autosave is kept; copy any newer text, sign in again in a new tab, then save."
      : "Not autosaved: the server refused it. Save your text now.";
  }
});
