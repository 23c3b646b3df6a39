// What the two staff pages (/agent, /editor) share about a sign-in: trading a token for the
// HttpOnly session cookie, asking the server who is signed in (GET /api/v1/staff/me) instead
// of guessing from what a probe is allowed to do, going back to sign-in on a 401, and one way
// to put an API error into words. Each page keeps its own strings; the keys used here
// (err_network, err_forbidden, err_conflict, err_rate, err_generic, err_generic_detail and
// err_<code>) are in both pages' tables.

import { api, ApiError, storageOf, store } from "./common.js";

/** A marker error: the session ended (401), the page has already gone back to sign-in. */
export class SignedOut extends Error {}

/**
 * An API error in the page's words: per field when the server named fields, else per code,
 * else by status. `fieldText(f)` may give a page's own text for a field problem.
 */
export function errorText(t, error, fieldText = () => null) {
  const known = (key) => (t(key) !== key ? t(key) : null);
  if (error instanceof ApiError) {
    if (error.status === 0) return t("err_network");
    if (error.status === 403) return t("err_forbidden");
    if (error.status === 409 && known("err_conflict")) return t("err_conflict");
    if (error.status === 429) return t("err_rate");
    const texts = [];
    for (const f of (error.details && error.details.fields) || []) {
      const text = fieldText(f) || known(`err_${f.field}_${f.code}`) || known(`err_${f.code}`);
      if (text && !texts.includes(text)) texts.push(text);
    }
    if (texts.length) return texts.join(" ");
    const byCode = known(`err_${error.code}`);
    if (byCode) return byCode;
    if (error.message) return t("err_generic_detail", { message: error.message });
    return t("err_generic");
  }
  if (error && error.message) return t("err_generic_detail", { message: String(error.message) });
  return t("err_generic");
}

/**
 * One page's sign-in. `roles`: the roles this page is for. `onExpired()` runs when a call
 * finds the session gone; the page goes back to its sign-in form there.
 *
 * The token itself lives only in the cookie; the page remembers just that this tab (or this
 * browser, when remembered) is signed in, under `key`. Earlier versions kept the token itself
 * under `oldKey`: it is traded for the cookie once and forgotten.
 */
export function staffSession({ key, oldKey, roles, onExpired }) {
  const tab = storageOf("sessionStorage");

  const session = {
    /** Whether this tab or browser was signed in when last seen. */
    remembered: () => !!(tab.get(key) || store.get(key)),

    /** Who the cookie belongs to; rejects with ApiError 403 when not one of `roles`. */
    async me() {
      const me = await api("/api/v1/staff/me");
      if (!roles.includes(me.role)) {
        api("/api/v1/staff/session", { method: "DELETE" }).catch(() => {});
        throw new ApiError(403, "forbidden", "forbidden");
      }
      return me;
    },

    /** Trades `token` for the cookie and checks its role. Resolves to who signed in. */
    async signIn(token, { remember = false } = {}) {
      await api("/api/v1/staff/session", { method: "POST", body: { token, remember } });
      const me = await session.me();
      session.forget();
      (remember ? store : tab).set(key, "1");
      return me;
    },

    /** Checks that the remembered sign-in still holds. Resolves to who is signed in. */
    resume: () => session.me(),

    /** Forgets that this tab or browser is signed in (not the cookie). */
    forget() {
      tab.set(key, null);
      store.set(key, null);
    },

    /** Ends the session: the cookie is removed and the page forgets it was signed in. */
    signOut() {
      api("/api/v1/staff/session", { method: "DELETE" }).catch(() => {});
      session.forget();
    },

    /**
     * Calls the API; a 401 while the page holds a sign-in ends it and rejects with SignedOut.
     * What the page remembers is the one record of being signed in, shared with other tabs.
     */
    async call(path, options = {}) {
      try {
        return await api(path, options);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401 && session.remembered()) {
          session.forget();
          onExpired();
          throw new SignedOut();
        }
        throw error;
      }
    },

    /** Earlier versions kept the token itself in storage: trade it for the cookie, and forget it. */
    async migrateStoredToken() {
      const rememberedToken = store.get(oldKey);
      const old = tab.get(oldKey) || rememberedToken;
      if (!old) return;
      store.set(oldKey, null);
      tab.set(oldKey, null);
      try {
        await api("/api/v1/staff/session", { method: "POST", body: { token: old, remember: !!rememberedToken } });
        (rememberedToken ? store : tab).set(key, "1");
      } catch {
        /* an old token that no longer works: sign in anew */
      }
    },
  };
  return session;
}
