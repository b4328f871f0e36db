// The signed-in person, shared by the shell and the screens.
import { createContext, useContext } from '/js/lib/ui.js';

/* Value: {user, updateUser(partialUser), signOut(message)}. user is GET
 * /api/me without the CSRF token: {id, login, display_name, role, professional_id}. */
export const SessionContext = createContext(null);

export const useSession = () => useContext(SessionContext);

export const isAdmin = (user) => Boolean(user && user.role === 'admin');
