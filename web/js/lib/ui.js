// The one module that imports the vendored libraries (web/vendor/, see
// scripts/vendor-web.mjs). Screens take `html`, the hooks and the rest from
// here, so that changing a library touches one file.
//
// `html` is htm bound to Preact's h(): tagged templates, no build step, no
// eval. Interpolated values are rendered as text nodes or set as properties,
// never parsed as HTML: user content is safe to interpolate anywhere except in
// attributes that take URLs (href, src), which must come from our own code.
import { h, render, createContext, Fragment } from '/vendor/preact.mjs';
import {
  useState, useEffect, useLayoutEffect, useRef, useCallback, useContext, useMemo, useId,
} from '/vendor/preact-hooks.mjs';
import htm from '/vendor/htm.mjs';

export const html = htm.bind(h);
export {
  h, render, createContext, Fragment,
  useState, useEffect, useLayoutEffect, useRef, useCallback, useContext, useMemo, useId,
};
