// Form building blocks. Contract with the API: an input's `name` is the JSON
// member it fills, so that a problem+json whose `field` names that member is
// shown next to that input; any other problem is shown above the submit
// button. Forms use `novalidate`: required fields are checked here, with
// French messages, instead of the browser's bubbles (in the browser's language).
import { html, useState, useRef, useEffect } from '/js/lib/ui.js';
import { ApiError, errorMessage } from '/js/lib/api.js';

/* Submission state of one form: {errors, formError, busy, submit, formRef}.
 * submit(action, validate): runs validate() → {field: message} first; when
 * empty, awaits action() and maps what it throws to the fields. After errors,
 * focus goes to the first invalid field, else stays (the alert is read). */
export function useSubmit(fieldNames) {
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);
  const focusPending = useRef(false);

  useEffect(() => {
    if (!focusPending.current) return;
    focusPending.current = false;
    const bad = formRef.current && formRef.current.querySelector('[aria-invalid="true"]');
    if (bad) bad.focus();
  }, [errors]);

  async function submit(action, validate) {
    if (busy) return;
    const local = validate ? validate() : {};
    if (Object.keys(local).length) {
      focusPending.current = true;
      setErrors(local);
      setFormError('');
      return;
    }
    setBusy(true);
    setErrors({});
    setFormError('');
    try {
      await action();
    } catch (err) {
      if (err instanceof ApiError && err.field && fieldNames.includes(err.field)) {
        focusPending.current = true;
        setErrors({ [err.field]: err.detail });
      } else if (!(err instanceof ApiError && err.status === 401 && err.code !== 'login.invalid')) {
        // (a lost session already took the person back to Connexion)
        setFormError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  }
  return { errors, formError, busy, submit, formRef, setFormError };
}

/* `message` for each required name whose value is blank. */
export function requireFields(values, messages) {
  const errors = {};
  for (const [name, message] of Object.entries(messages)) if (!String(values[name] ?? '').trim()) errors[name] = message;
  return errors;
}

function describedBy(id, hint, error) {
  const ids = [hint && `${id}-aide`, error && `${id}-erreur`].filter(Boolean).join(' ');
  return ids || undefined;
}

/* A labelled input. Extra props go to the <input> (type, autocomplete...). */
export function Field({ id, label, hint, error, value, onInput, ...input }) {
  return html`<div class=${'field' + (error ? ' has-error' : '')}>
    <label for=${id}>${label}</label>
    ${hint && html`<p class="hint" id=${`${id}-aide`}>${hint}</p>`}
    <input id=${id} value=${value} onInput=${onInput} aria-invalid=${error ? 'true' : undefined}
      aria-describedby=${describedBy(id, hint, error)} ...${input} />
    ${error && html`<p class="field-error" id=${`${id}-erreur`}>${error}</p>`}
  </div>`;
}

/* A labelled <select>; options: [{value, label}]; extra props (name, value,
 * onInput...) go to the <select>. */
export function SelectField({ id, label, hint, error, options, ...select }) {
  return html`<div class=${'field' + (error ? ' has-error' : '')}>
    <label for=${id}>${label}</label>
    ${hint && html`<p class="hint" id=${`${id}-aide`}>${hint}</p>`}
    <select id=${id} aria-invalid=${error ? 'true' : undefined}
      aria-describedby=${describedBy(id, hint, error)} ...${select}>
      ${options.map((o) => html`<option key=${o.value} value=${o.value}>${o.label}</option>`)}
    </select>
    ${error && html`<p class="field-error" id=${`${id}-erreur`}>${error}</p>`}
  </div>`;
}

/* The form-level error, in a live region that exists before it is filled. */
export function FormAlert({ message }) {
  return html`<div class="form-alert-slot" role="alert">${message && html`<p class="form-alert">${message}</p>`}</div>`;
}

/* Submit button that says what is happening; stays focusable while busy. */
export function SubmitButton({ busy, label, busyLabel }) {
  return html`<button type="submit" class="button" aria-disabled=${busy ? 'true' : undefined}>
    ${busy ? busyLabel : label}</button>`;
}

/* Binds a values object to inputs: bind('login') → {name, value, onInput}. */
export function useValues(initial) {
  const [values, setValues] = useState(initial);
  const bind = (name) => ({
    name,
    value: values[name],
    onInput: (ev) => { const v = ev.currentTarget.value; setValues((s) => ({ ...s, [name]: v })); },
  });
  return { values, setValues, bind };
}
