/* The /data page's upload (issue 10): the chosen file goes to the upload route as a form
   post with the page's CSRF token, never through a Dash callback (whose bodies are limited to
   REQUEST_MAX_BYTES); on success the browser opens the file's report and preview. */
window.dash_clientside = window.dash_clientside || {};
Object.assign(window.dash_clientside, {
    intake: {
        upload: async function (contents, filename, source, description, config) {
            if (!contents) { return window.dash_clientside.no_update; }
            const text = atob(contents.slice(contents.indexOf(",") + 1));
            const bytes = new Uint8Array(text.length);
            for (let i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
            const form = new FormData();
            form.append("file", new Blob([bytes]), filename);
            form.append("source_system", source || "");
            form.append("description", description || "");
            const response = await fetch(config.url, {
                method: "POST", body: form, credentials: "same-origin", headers: {"X-CSRFToken": config.csrf},
            });
            const answer = await response.json().catch(() => ({}));
            if (response.ok && answer.location) {
                window.location.assign(answer.location);
                return config.sending;
            }
            return answer.message || answer.reason || String(response.status);
        },
    },
});
