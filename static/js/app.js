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

  // A move on a card swaps the whole board in anew: the focus would fall back to the page's
  // top. Give it back to the control with the same id (the card's button), or, when the
  // card has left the board, to the board itself, so Tab goes on from there.
  var focusAfterSwap = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "board" && event.detail.requestConfig.verb === "get" && busyOnBoard(elt)) {
      event.preventDefault();
      return;
    }
    var active = document.activeElement;
    var board = document.getElementById("board");
    if (board && elt && elt !== board && board.contains(elt)) {
      focusAfterSwap = active && active.id && board.contains(active) ? active.id : "";
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (focusAfterSwap === null) {
      return;
    }
    var active = document.activeElement;
    var target = (focusAfterSwap && document.getElementById(focusAfterSwap)) || document.getElementById("board");
    focusAfterSwap = null;
    if (target && (!active || active === document.body)) {
      target.focus();
    }
  });

  // On a phone the data tables stack each row as a small card (app.css); each cell then
  // says which column it is by its header's text, copied here into data-label.
  function headerLabels(table) {
    var grid = [];
    var rows = table.tHead ? table.tHead.rows : [];
    for (var r = 0; r < rows.length; r++) {
      grid[r] = grid[r] || [];
      var col = 0;
      for (var c = 0; c < rows[r].cells.length; c++) {
        var cell = rows[r].cells[c];
        while (grid[r][col] !== undefined) {
          col++;
        }
        for (var dr = 0; dr < (cell.rowSpan || 1); dr++) {
          grid[r + dr] = grid[r + dr] || [];
          for (var dc = 0; dc < (cell.colSpan || 1); dc++) {
            grid[r + dr][col + dc] = cell.textContent.replace(/\s+/g, " ").trim();
          }
        }
        col += cell.colSpan || 1;
      }
    }
    var labels = [];
    for (var i = 0; i < grid.length; i++) {
      for (var j = 0; j < grid[i].length; j++) {
        var text = grid[i][j] || "";
        if (!labels[j]) {
          labels[j] = text;
        } else if (text && labels[j].split(" · ").indexOf(text) < 0) {
          labels[j] += " · " + text;
        }
      }
    }
    return labels;
  }

  function labelTableCells(root) {
    var tables = (root.querySelectorAll ? root : document).querySelectorAll("table.data, table.users-table");
    for (var t = 0; t < tables.length; t++) {
      var labels = headerLabels(tables[t]);
      var bodies = tables[t].tBodies;
      for (var b = 0; b < bodies.length; b++) {
        for (var r = 0; r < bodies[b].rows.length; r++) {
          var col = 0;
          var cells = bodies[b].rows[r].cells;
          for (var c = 0; c < cells.length; c++) {
            if (cells[c].colSpan === 1 && labels[col] && !cells[c].hasAttribute("data-label")) {
              cells[c].setAttribute("data-label", labels[col]);
            }
            col += cells[c].colSpan || 1;
          }
        }
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    labelTableCells(document);
  });
  document.addEventListener("htmx:load", function (event) {
    labelTableCells(event.detail.elt.parentElement || document);
  });
})();
