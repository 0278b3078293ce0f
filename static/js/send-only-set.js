// Filter forms marked `data-send-only-set` send only what the visitor set: no `?q=&year_from=`,
// and no sort order when it is the default, so the URL reads well when bookmarked or shared.
// Without JavaScript the server redirects a URL with empty parameters to the same clean URL.
// The fields are left as they are (only the submitted data is trimmed), so going back shows
// the form as it was.
"use strict";

document.querySelectorAll("form[data-send-only-set]").forEach((form) => {
  form.addEventListener("formdata", (event) => {
    const data = event.formData;
    const searching = String(data.get("q") || "").trim() !== "";
    const entries = [...data.entries()];
    new Set(entries.map(([name]) => name)).forEach((name) => data.delete(name));
    for (const [name, value] of entries) {
      if (typeof value === "string" && value.trim() === "") continue;
      const field = form.elements.namedItem(name);
      if (field instanceof HTMLSelectElement) {
        // `data-default`: a value that always means the default order; `data-default-without-search`:
        // the order used when nothing is searched.
        const { default: always, defaultWithoutSearch } = field.dataset;
        if (value === always || (!searching && value === defaultWithoutSearch)) continue;
        // A page without a search offers no “Relevance”: a search typed there is sorted by it
        // (the default when searching) unless the visitor picked an order.
        const offersDefault = [...field.options].some((option) => option.value === always);
        const untouched = field.selectedOptions[0]?.defaultSelected;
        if (searching && !offersDefault && untouched && value === defaultWithoutSearch) continue;
      }
      data.append(name, value);
    }
  });
});
