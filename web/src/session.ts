/**
 * The signed-in token, kept for this tab only (sessionStorage: gone when the tab closes, never
 * shared with other tabs or sent as a cookie).
 */
const KEY = 'enterprise-portal.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}
