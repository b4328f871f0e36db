// What a screen tells the shell about its page: the <h1> and window title
// when they depend on data (a patient's name), instead of the route's.
import { createContext, useContext, useEffect } from '/js/lib/ui.js';

/* Value: setTitle({title, docTitle} | null), provided by the shell. */
export const PageContext = createContext(() => {});

/* Shows `title` as the page's <h1> (and `docTitle`, or the title, in the
 * window title) while the calling screen is mounted. */
export function usePageTitle(title, docTitle) {
  const setTitle = useContext(PageContext);
  useEffect(() => {
    setTitle(title ? { title, docTitle: docTitle || title } : null);
  }, [title, docTitle]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => () => setTitle(null), []); // eslint-disable-line react-hooks/exhaustive-deps
}
