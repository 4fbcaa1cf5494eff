// "Show password" checkboxes: <input type="checkbox" data-reveals="id1 id2"> toggles those
// password fields between hidden and visible text (OWASP ASVS 2.1.12), without inline script.
document.querySelectorAll("input[data-reveals]").forEach(function (box) {
  box.addEventListener("change", function () {
    box.getAttribute("data-reveals").split(" ").forEach(function (id) {
      var field = document.getElementById(id);
      if (field) { field.type = box.checked ? "text" : "password"; }
    });
  });
});
