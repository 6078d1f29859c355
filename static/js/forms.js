// Progressive enhancement of forms; each works without JavaScript (the server reads the same
// fields), this only saves clicks or hides what does not apply.
//
// "Every section" boxes (data-check-all="<name>"): ticking one ticks, and unticking it
// unticks, every checkbox named <name> (the factual-accuracy form's sections for one agency).
document.querySelectorAll("input[data-check-all]").forEach(function (all) {
  all.addEventListener("change", function () {
    document.querySelectorAll('input[type="checkbox"][name="' + all.dataset.checkAll + '"]')
      .forEach(function (box) { box.checked = all.checked; });
  });
});

// Pickers shown for one choice only (data-shown-for="<radio name>:<value>"): the form group
// is hidden until that choice is made (the evidence link's kind shows only its picker).
var conditional = document.querySelectorAll("[data-shown-for]");
function showChosen() {
  conditional.forEach(function (group) {
    var parts = group.dataset.shownFor.split(":");
    var chosen = document.querySelector('input[name="' + parts[0] + '"]:checked');
    group.hidden = !chosen || chosen.value !== parts[1];
  });
}
if (conditional.length) {
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches('input[type="radio"]')) {
      showChosen();
    }
  });
  showChosen();
}
