// Progressive enhancement of forms; each works without JavaScript (the server reads the same
// fields), this only saves clicks. (A radio's own picker, as the evidence link's kind has, is
// GOV.UK Frontend's conditional reveal: govuk-frontend.min.js does it.)
//
// "Every section" boxes (data-check-all="<name>"): ticking one ticks, and unticking it
// unticks, every checkbox named <name> (the factual-accuracy form's sections for one agency).
document.querySelectorAll("input[data-check-all]").forEach(function (all) {
  all.addEventListener("change", function () {
    document.querySelectorAll('input[type="checkbox"][name="' + all.dataset.checkAll + '"]')
      .forEach(function (box) { box.checked = all.checked; });
  });
});
