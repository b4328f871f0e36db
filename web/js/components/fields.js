// Form controls that only the patient screens use (loaded with them, not
// with Connexion): radio groups, check boxes, multi-line text. Same contract
// as components/forms.js: `name` is the API member, errors tied with
// aria-describedby.
import { html } from '/js/lib/ui.js';

const describedBy = (id, hint, error) =>
  [hint && `${id}-aide`, error && `${id}-erreur`].filter(Boolean).join(' ') || undefined;

/* A fieldset of radio buttons; options: [{value, label}]. */
export function RadioGroup({ id, legend, hint, error, options, name, value, onChange, inline }) {
  return html`<fieldset class=${'field radios' + (inline ? ' inline' : '') + (error ? ' has-error' : '')} id=${id}
    aria-describedby=${describedBy(id, hint, error)}>
    <legend>${legend}</legend>
    ${hint && html`<p class="hint" id=${`${id}-aide`}>${hint}</p>`}
    <div class="radio-list">${options.map((o, i) => html`<label key=${o.value} class="radio">
      <input type="radio" name=${name} value=${o.value} checked=${value === o.value}
        aria-invalid=${error && i === 0 ? 'true' : undefined}
        onChange=${() => onChange(o.value)} /><span>${o.label}</span></label>`)}</div>
    ${error && html`<p class="field-error" id=${`${id}-erreur`}>${error}</p>`}
  </fieldset>`;
}

/* A check box with its label on the right. */
export function Checkbox({ id, label, hint, checked, onChange, ...rest }) {
  return html`<div class="field checkbox">
    <label for=${id}><input type="checkbox" id=${id} checked=${checked}
      aria-describedby=${hint ? `${id}-aide` : undefined}
      onChange=${(ev) => onChange(ev.currentTarget.checked)} ...${rest} /><span>${label}</span></label>
    ${hint && html`<p class="hint" id=${`${id}-aide`}>${hint}</p>`}
  </div>`;
}

/* A labelled <textarea>. */
export function TextArea({ id, label, hint, error, value, onInput, ...rest }) {
  return html`<div class=${'field' + (error ? ' has-error' : '')}>
    <label for=${id}>${label}</label>
    ${hint && html`<p class="hint" id=${`${id}-aide`}>${hint}</p>`}
    <textarea id=${id} value=${value} onInput=${onInput} aria-invalid=${error ? 'true' : undefined}
      aria-describedby=${describedBy(id, hint, error)} ...${rest}></textarea>
    ${error && html`<p class="field-error" id=${`${id}-erreur`}>${error}</p>`}
  </div>`;
}
