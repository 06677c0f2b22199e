// Where the signed-in session's tokens live: in memory by default, or anywhere a
// `TokenStore` reaches (localStorage, IndexedDB, a cookie-backed endpoint, ...).

/** The pair a sign-in or a refresh hands out. */
export interface Tokens {
  access_token: string;
  /** Works once: every refresh replaces it. */
  refresh_token: string;
}

/** Storage for the current tokens; `null` means signed out. May be sync or async. */
export interface TokenStore {
  get(): Tokens | null | Promise<Tokens | null>;
  set(tokens: Tokens | null): void | Promise<void>;
}

/** Keeps the tokens in this process only (the default). */
export function memoryTokenStore(initial: Tokens | null = null): TokenStore {
  let tokens = initial;
  return {
    get: () => tokens,
    set: (next) => {
      tokens = next;
    },
  };
}
