// The person field of a pin: as the organizer types, suggest the region's professionals who match, with their
// availability for the table's slot and their distance to its venue. Choosing one fills the field with
// "Name (#number)". Without this script the field is a plain text box: typing a name or number works the same.
(function () {
  "use strict";

  function enhance(box) {
    var input = box.querySelector("input[type=text]");
    var list = box.querySelector(".pin-suggestions");
    var status = box.querySelector(".pin-status");
    var url = box.getAttribute("data-search-url");
    var timer = null;
    var asked = 0; // answers to older questions are dropped

    function hide() {
      list.hidden = true;
      list.textContent = "";
    }

    function choose(value) {
      input.value = value;
      hide();
      input.focus();
    }

    function show(people) {
      list.textContent = "";
      people.forEach(function (person) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary outline";
        button.textContent = person.text;
        button.setAttribute("data-value", person.value);
        button.addEventListener("click", function () {
          choose(person.value);
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      list.hidden = people.length === 0;
      status.textContent = people.length
        ? box.getAttribute("data-found").replace("%(num)s", String(people.length))
        : box.getAttribute("data-none");
    }

    function search() {
      var query = input.value.trim();
      var mine = ++asked;
      if (!query) {
        hide();
        status.textContent = "";
        return;
      }
      fetch(url + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(function (people) {
          if (mine === asked) {
            show(people);
          }
        })
        .catch(function () {
          /* the field still works: the server finds the typed name or number */
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      var first = list.querySelector("button");
      if (event.key === "ArrowDown" && first && !list.hidden) {
        event.preventDefault();
        first.focus();
      } else if (event.key === "Escape") {
        hide();
      }
    });
    list.addEventListener("keydown", function (event) {
      var current = document.activeElement.closest("li");
      if (!current) {
        return;
      }
      var next = null;
      if (event.key === "ArrowDown") {
        next = current.nextElementSibling;
      } else if (event.key === "ArrowUp") {
        next = current.previousElementSibling;
        if (!next) {
          event.preventDefault();
          input.focus();
          return;
        }
      } else if (event.key === "Escape") {
        hide();
        input.focus();
        return;
      }
      if (next) {
        event.preventDefault();
        next.querySelector("button").focus();
      }
    });
  }

  document.querySelectorAll(".pin-search[data-search-url]").forEach(enhance);
})();
