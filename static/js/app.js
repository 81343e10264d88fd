// Small glue for the pages; htmx does the rest.
(function () {
  "use strict";

  // Every htmx request carries the CSRF token (forms also carry it as a field).
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      event.detail.headers["X-CSRFToken"] = meta.content;
    }
  });

  // Do not refresh the board under someone who is typing a note or a password, or choosing
  // a file.
  function busyOnBoard(board) {
    var active = document.activeElement;
    if (active && board.contains(active) && active.closest("form")) {
      return true;
    }
    var fields = board.querySelectorAll("textarea, input[type=file], input[type=password]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value) {
        return true;
      }
    }
    return !!board.querySelector("details[open]");
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "board" && event.detail.requestConfig.verb === "get" && busyOnBoard(elt)) {
      event.preventDefault();
    }
  });
})();
