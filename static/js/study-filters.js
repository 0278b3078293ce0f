// The study list's filters, enhanced. Without JavaScript everything still works: the filters sit
// in a <details> that is closed (a phone shows the results first) and shown anyway on wide
// screens by site.css, and the “Apply filters” button sends the form.
"use strict";

// Wide screens keep the filters open beside the results; narrow ones fold them away. The query
// is the one site.css uses for the one-column layout.
const narrow = window.matchMedia("(max-width: 50rem)");
document.querySelectorAll("details[data-open-when-wide]").forEach((details) => {
  const follow = () => {
    details.open = !narrow.matches;
  };
  follow();
  narrow.addEventListener("change", follow);
});

// Ticking a facet's box applies it at once: no trip down to the button. requestSubmit() sends
// the form as the button would (the `formdata` event of send-only-set.js included).
document.querySelectorAll("form[data-apply-on-change]").forEach((form) => {
  form.addEventListener("change", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.type === "checkbox") {
      form.requestSubmit();
    }
  });
});
