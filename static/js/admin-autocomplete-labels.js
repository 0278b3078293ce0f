"use strict";
// Names the parts of the admin's select2 autocomplete fields (admin/js/autocomplete.js) that
// select2 leaves nameless: its combobox, its search fields and its “clear” cross. A screen
// reader then says “Countries, combo box”, not “combo box”. Each part points at the field's
// <label>, or in a table row takes the name the server gave the <select> (“Author, row 2”).
// A file of its own: the Content-Security-Policy allows no inline script.
{
    const $ = django.jQuery;

    // The field's <label>, given an id if it has none; null in a table row (no <label>).
    function labelOf(select) {
        const label = select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
        if (label && !label.id) {
            label.id = `${select.id}-label`;
        }
        return label;
    }

    // Names `element` after the field's label, or after the <select>'s own aria-label (a
    // reference to the <select> would give its chosen option instead), then `more` ids.
    function name(element, select, more = "") {
        const label = labelOf(select);
        if (label) {
            element.setAttribute("aria-labelledby", `${label.id} ${more}`.trim());
        } else if (more) {
            element.setAttribute("aria-label", select.getAttribute("aria-label") || select.name);
            element.setAttribute("aria-describedby", more);
            element.removeAttribute("aria-labelledby");
        } else {
            element.setAttribute("aria-label", select.getAttribute("aria-label") || select.name);
            element.removeAttribute("aria-labelledby");
        }
    }

    function nameParts(select, container) {
        const selection = container.querySelector(".select2-selection");
        const rendered = container.querySelector(".select2-selection__rendered");
        if (selection) {
            // A single select's combobox also says its current choice, as select2 meant it to.
            const single = selection.classList.contains("select2-selection--single");
            name(selection, select, single && rendered && rendered.id ? rendered.id : "");
        }
        if (rendered && rendered.getAttribute("role") === "textbox") {
            name(rendered, select);
        }
        container.querySelectorAll(".select2-search__field").forEach((field) => name(field, select));
        // The “×” that clears every choice is a mouse shortcut (Backspace does it from the
        // keyboard); inside the list of choices it broke the list's structure.
        container.querySelectorAll(".select2-selection__clear").forEach((cross) => {
            cross.setAttribute("aria-hidden", "true");
        });
    }

    function watch(select) {
        const container = select.nextElementSibling;
        if (!container || !container.classList.contains("select2-container") || container.dataset.named) {
            return;
        }
        container.dataset.named = "true";
        nameParts(select, container);
        // select2 redraws the choices (and the cross) whenever they change.
        new MutationObserver(() => nameParts(select, container)).observe(container, {
            childList: true,
            subtree: true,
        });
    }

    function watchAll(root) {
        $(root).find(".admin-autocomplete").not("[name*=__prefix__]").each((i, select) => watch(select));
    }

    // Registered after autocomplete.js's own handlers, so select2 has drawn its parts by then.
    $(() => watchAll(document));
    document.addEventListener("formset:added", (event) => watchAll(event.target));
    // A single select's search field lives in the dropdown, drawn when it opens.
    $(document).on("select2:open", (event) => {
        const select = event.target;
        // An open combobox names the list it controls (select2 says only aria-owns).
        const container = select.nextElementSibling;
        const combobox = container && container.querySelector(".select2-selection[aria-owns]");
        if (combobox) {
            combobox.setAttribute("aria-controls", combobox.getAttribute("aria-owns"));
        }
        document.querySelectorAll(".select2-container--open .select2-search__field").forEach((field) => {
            name(field, select);
        });
    });
}
