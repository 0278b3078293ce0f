"use strict";
// Names the parts of the admin's select2 autocomplete fields (admin/js/autocomplete.js) that
// select2 leaves nameless: its combobox, its search fields and its “clear” cross. A screen
// reader then says “Countries, combo box”, not “combo box”. Each part points at the field's
// <label> (or, in a table row, at the <select>, which the server named “Author, row 2”).
// A file of its own: the Content-Security-Policy allows no inline script.
{
    const $ = django.jQuery;

    // The element whose name the select2 parts borrow.
    function nameSource(select) {
        const label = select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
        if (!label) {
            return select;
        }
        if (!label.id) {
            label.id = `${select.id}-label`;
        }
        return label;
    }

    function nameParts(select, container) {
        const source = nameSource(select).id;
        if (!source) {
            return;
        }
        const selection = container.querySelector(".select2-selection");
        const rendered = container.querySelector(".select2-selection__rendered");
        if (selection) {
            // The label, then the current choice (select2's own name for a single select).
            const current = rendered && rendered.id && selection.classList.contains("select2-selection--single");
            selection.setAttribute("aria-labelledby", current ? `${source} ${rendered.id}` : source);
        }
        if (rendered && rendered.getAttribute("role") === "textbox") {
            rendered.setAttribute("aria-labelledby", source);
        }
        container.querySelectorAll(".select2-search__field").forEach((field) => {
            field.setAttribute("aria-labelledby", source);
        });
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
        const source = nameSource(event.target).id;
        document.querySelectorAll(".select2-container--open .select2-search__field").forEach((field) => {
            field.setAttribute("aria-labelledby", source);
        });
    });
}
