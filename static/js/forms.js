// Progressive enhancement of forms; each works without JavaScript (the server reads the same
// fields), this only saves clicks.
//
// "Every section" boxes (data-check-all="<name>"): ticking one ticks, and unticking it
// unticks, every checkbox named <name> (the factual-accuracy form's sections for one agency).
document.querySelectorAll("input[data-check-all]").forEach(function (all) {
  all.addEventListener("change", function () {
    document.querySelectorAll('input[type="checkbox"][name="' + all.dataset.checkAll + '"]')
      .forEach(function (box) { box.checked = all.checked; });
  });
});

// A radio's own picker (data-app-radio-reveal, as the evidence link's kind has): GOV.UK
// Frontend's conditional-reveal markup (data-aria-controls on the radio, a
// govuk-radios__conditional after it), revealed here rather than by govuk-frontend's Radios
// module, which also sets aria-expanded on the radio: ARIA does not allow aria-expanded on a
// radio (axe's aria-allowed-attr). Only the checked radio's picker shows; without
// JavaScript, all do.
document.querySelectorAll("[data-app-radio-reveal]").forEach(function (group) {
  var radios = Array.prototype.slice.call(
    group.querySelectorAll('input[type="radio"][data-aria-controls]'));
  function sync() {
    radios.forEach(function (radio) {
      var target = document.getElementById(radio.getAttribute("aria-controls"));
      if (target) {
        target.classList.toggle("govuk-radios__conditional--hidden", !radio.checked);
      }
    });
  }
  radios.forEach(function (radio) {
    radio.setAttribute("aria-controls", radio.dataset.ariaControls);
    radio.removeAttribute("data-aria-controls");
  });
  group.querySelectorAll('input[type="radio"]').forEach(function (radio) {
    radio.addEventListener("change", sync);
  });
  window.addEventListener("pageshow", sync);
  sync();
});
