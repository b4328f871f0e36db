// Entry point (loaded by index.html): mounts the application in #app.
import { html, render } from '/js/lib/ui.js';
import { App } from '/js/app.js';

const root = document.getElementById('app');
root.textContent = ''; // the static « Chargement… » of index.html
render(html`<${App} />`, root);
