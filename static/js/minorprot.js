// minorprot: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Guardian formset: "添加监护人" clones the empty form from its <template>.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-guardian]");
    if (!button) return;
    var template = document.getElementById("guardian-empty-form");
    var total = document.getElementById("id_guardians-TOTAL_FORMS");
    var container = document.getElementById("guardian-forms");
    if (!template || !total || !container) return;
    var index = Number(total.value);
    container.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    var first = container.lastElementChild && container.lastElementChild.querySelector("select, input:not([type=hidden])");
    if (first) first.focus();
  });

  // An 18-character ID number carries the birth date and gender: fill them in if still empty.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[name='id_number']")) return;
    var value = input.value.replace(/\s/g, "").toUpperCase();
    if (!/^\d{17}[\dX]$/.test(value)) return;
    var form = input.form;
    var birth = form.querySelector("input[name='birth_date']");
    if (birth && !birth.value) {
      birth.value = value.slice(6, 10) + "-" + value.slice(10, 12) + "-" + value.slice(12, 14);
    }
    var gender = form.querySelector("select[name='gender']");
    if (gender && !gender.value) {
      gender.value = Number(value.charAt(16)) % 2 === 1 ? "M" : "F";
    }
  });

  // Assessment form: show the grade the server will compute (the highest minimum grade among the
  // ticked indicators, BLUE when none) and ask for a reason only when the final grade differs.
  // The server recomputes and decides; this only mirrors it.
  var GRADE_ORDER = ["BLUE", "YELLOW", "ORANGE", "RED"];

  function updateAssessment(form) {
    var computed = 0;
    form.querySelectorAll("input[name='indicators']:checked").forEach(function (box) {
      computed = Math.max(computed, GRADE_ORDER.indexOf(box.getAttribute("data-grade")));
    });
    var grade = GRADE_ORDER[computed];
    var badges = document.getElementById("grade-badges");
    var target = form.querySelector("[data-computed-grade]");
    var badge = badges && badges.content.querySelector("[data-grade='" + grade + "']");
    if (target && badge) {
      target.replaceChildren(badge.cloneNode(true));
    }
    var select = form.querySelector("select[name='final_grade']");
    if (!select) return;
    if (badge && select.options.length && select.getAttribute("data-auto-label")) {
      select.options[0].textContent = select.getAttribute("data-auto-label").replace("%(grade)s", badge.textContent);
    }
    var differs = select.value !== "" && select.value !== grade;
    var reason = form.querySelector("[data-override-reason]");
    var textarea = reason && reason.querySelector("textarea");
    if (textarea) {
      // Kept visible once written in or refused by the server, so nothing typed is hidden.
      reason.hidden = !differs && !textarea.value.trim() && !textarea.classList.contains("is-invalid");
      textarea.required = differs;
    }
  }

  document.querySelectorAll("[data-assessment-form]").forEach(function (form) {
    updateAssessment(form);
    form.addEventListener("change", function () {
      updateAssessment(form);
    });
  });

  // Intervention form: the ladder's usual action for the chosen level (domain.md §8.1), unless the
  // person has written their own. The server fills in the same default when the field is left empty.
  document.querySelectorAll("[data-ladder-actions]").forEach(function (form) {
    var source = document.getElementById(form.getAttribute("data-ladder-actions"));
    var level = form.querySelector("select[name$='level']");
    var action = form.querySelector("input[name$='action']");
    if (!source || !level || !action) return;
    var actions = JSON.parse(source.textContent);
    var lastDefault = action.value;
    level.addEventListener("change", function () {
      if (action.value && action.value !== lastDefault) return;
      action.value = actions[level.value] || "";
      lastDefault = action.value;
    });
  });
})();
