// Availability grid: paint yes / if need be / no over many slots by pressing a cell and dragging across rows.
// Without this script the grid is an ordinary form of radio buttons (one group per slot), which also gives
// the full keyboard use: Tab moves between slots, the arrow keys change the answer, Enter saves.
(function () {
  "use strict";

  function setAnswer(row, answer) {
    var radio = row.querySelector('input[type="radio"][value="' + answer + '"]');
    if (radio && !radio.checked) {
      radio.checked = true;
      row.setAttribute("data-answer", answer);
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function cellAt(x, y) {
    var element = document.elementFromPoint(x, y);
    return element ? element.closest("td[data-answer]") : null;
  }

  function enhance(grid) {
    var painting = null; // the answer being painted, while the pointer is down

    grid.classList.add("paintable");
    grid.querySelectorAll("tr[data-slot]").forEach(function (row) {
      var checked = row.querySelector('input[type="radio"]:checked');
      if (checked) {
        row.setAttribute("data-answer", checked.value);
      }
    });

    grid.addEventListener("change", function (event) {
      var row = event.target.closest("tr[data-slot]");
      if (row && event.target.checked) {
        row.setAttribute("data-answer", event.target.value);
        var status = document.getElementById(grid.getAttribute("data-status"));
        if (status) {
          status.textContent = status.getAttribute("data-unsaved");
        }
      }
    });

    grid.addEventListener("pointerdown", function (event) {
      var cell = event.target.closest("td[data-answer]");
      if (!cell || event.button !== 0) {
        return;
      }
      painting = cell.getAttribute("data-answer");
      setAnswer(cell.parentElement, painting);
      event.preventDefault(); // no text selection while dragging
    });

    grid.addEventListener("pointermove", function (event) {
      if (painting === null) {
        return;
      }
      var cell = cellAt(event.clientX, event.clientY);
      if (cell && grid.contains(cell)) {
        setAnswer(cell.parentElement, painting);
      }
    });

    document.addEventListener("pointerup", function () {
      painting = null;
    });
    document.addEventListener("pointercancel", function () {
      painting = null;
    });
  }

  // Leaving the page with answers changed but not saved asks first (the browser shows its own question);
  // saving the form clears the warning.
  function warnBeforeLeaving(grid) {
    var form = grid.closest("form");
    var dirty = false;
    if (!form) {
      return;
    }
    grid.addEventListener("change", function () {
      dirty = true;
    });
    form.addEventListener("submit", function () {
      dirty = false;
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = ""; // older browsers need a value to ask
      }
    });
  }

  function start() {
    document.querySelectorAll("table[data-availability-grid]").forEach(function (grid) {
      enhance(grid);
      warnBeforeLeaving(grid);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
