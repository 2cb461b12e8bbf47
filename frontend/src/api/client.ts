/**
 * The GraphQL client: plain `fetch` with operations typed by codegen, and
 * the session (access token in memory, refresh token in sessionStorage,
 * refreshed before expiry and on UNAUTHENTICATED).
 */
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { LoginDocument, LogoutDocument, RefreshTokenDocument, type SessionFieldsFragment } from './generated';

export type ApiLang = 'kk' | 'ru' | 'en';

/** One GraphQL error as the API reports it. */
export interface GraphQLErrorItem {
  message: string;
  code: string;
  /** The input field concerned, for input errors. */
  field?: string;
  /** The message in each language. */
  messages?: Partial<Record<ApiLang, string>>;
}

/** A request refused by the API (`errors`), or a transport failure (`code: NETWORK`). */
export class ApiError extends Error {
  readonly errors: GraphQLErrorItem[];
  constructor(errors: GraphQLErrorItem[]) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('; '));
    this.name = 'ApiError';
    this.errors = errors;
  }
  has(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }
}

export function networkError(): ApiError {
  return new ApiError([{ code: 'NETWORK', message: 'network error' }]);
}

let requestLang: ApiLang = 'ru';
/** Sets `Accept-Language` for every later request. */
export function setRequestLanguage(lang: ApiLang) {
  requestLang = lang;
}

/** Where the API lives (same origin: the server serves the UI). */
export const GRAPHQL_URL = '/graphql';

type Doc<R, V> = DocumentTypeDecoration<R, V> & { toString(): string };

function operationName(query: string): string | undefined {
  return /\b(?:query|mutation|subscription)\s+(\w+)/.exec(query)?.[1];
}

interface RawResponse<R> {
  data?: R | null;
  errors?: Array<{ message?: string; extensions?: { code?: string; field?: string; messages?: Partial<Record<ApiLang, string>> } }>;
}

/** One POST without any session handling. */
async function post<R, V>(doc: Doc<R, V>, variables: V | undefined, token: string | null): Promise<R> {
  const query = doc.toString();
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'Accept-Language': requestLang,
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(GRAPHQL_URL, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables: variables ?? {}, operationName: operationName(query) }),
    });
  } catch {
    throw networkError();
  }
  let body: RawResponse<R>;
  try {
    body = (await res.json()) as RawResponse<R>;
  } catch {
    throw new ApiError([{ code: res.ok ? 'INTERNAL' : `HTTP_${res.status}`, message: res.statusText }]);
  }
  if (body.errors?.length) {
    throw new ApiError(
      body.errors.map((e) => ({
        message: e.message ?? '',
        code: e.extensions?.code ?? 'INTERNAL',
        ...(e.extensions?.field ? { field: e.extensions.field } : {}),
        ...(e.extensions?.messages ? { messages: e.extensions.messages } : {}),
      })),
    );
  }
  if (body.data == null) throw new ApiError([{ code: 'INTERNAL', message: 'no data' }]);
  return body.data;
}

// ---------------------------------------------------------------- session

export type SessionUser = SessionFieldsFragment['user'];
export type SessionEvent = { kind: 'signedIn'; user: SessionUser } | { kind: 'signedOut'; expired: boolean };

const REFRESH_KEY = 'archportal.refreshToken';
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 60_000;

let accessToken: string | null = null;
let accessExpiresAt = 0;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<(e: SessionEvent) => void>();

function storedRefreshToken(): string | null {
  try {
    return sessionStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}

function emit(e: SessionEvent) {
  for (const l of listeners) l(e);
}

/** Subscribes to sign-in/sign-out; returns the unsubscribe function. */
export function onSessionChange(l: (e: SessionEvent) => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

function applySession(s: SessionFieldsFragment) {
  accessToken = s.accessToken;
  accessExpiresAt = Date.parse(s.accessTokenExpiresAt) || Date.now() + 5 * 60_000;
  try {
    sessionStorage.setItem(REFRESH_KEY, s.refreshToken);
  } catch {
    /* storage disabled: the session lasts as long as the access token */
  }
  clearTimeout(refreshTimer);
  const delay = Math.max(5_000, accessExpiresAt - Date.now() - REFRESH_MARGIN_MS);
  refreshTimer = setTimeout(() => void refreshSession(), delay);
  emit({ kind: 'signedIn', user: s.user });
}

function clearSession(expired: boolean) {
  const had = accessToken !== null || storedRefreshToken() !== null;
  accessToken = null;
  accessExpiresAt = 0;
  clearTimeout(refreshTimer);
  try {
    sessionStorage.removeItem(REFRESH_KEY);
  } catch {
    /* ignore */
  }
  if (had || !expired) emit({ kind: 'signedOut', expired });
}

/** Whether a session can be resumed (a refresh token is stored). */
export function hasStoredSession(): boolean {
  return storedRefreshToken() !== null;
}

/**
 * Exchanges the refresh token for a new pair. Only one refresh runs at a
 * time: a refresh token works once, and presenting it twice revokes the
 * session. Resolves false when there is no session any more.
 */
export function refreshSession(): Promise<boolean> {
  if (refreshing) return refreshing;
  const token = storedRefreshToken();
  if (!token) return Promise.resolve(false);
  refreshing = post(RefreshTokenDocument, { input: { refreshToken: token } }, null)
    .then((d) => {
      applySession(d.refreshToken);
      return true;
    })
    .catch((e: unknown) => {
      if (e instanceof ApiError && e.has('NETWORK')) {
        // Keep the tokens; try again a little later.
        clearTimeout(refreshTimer);
        refreshTimer = setTimeout(() => void refreshSession(), 15_000);
        throw e;
      }
      clearSession(true);
      return false;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/**
 * Signs in. An account with the second factor on rejects the password alone
 * with `TOTP_REQUIRED`; the caller asks for `totpCode` (the app's six digits
 * or a recovery code) and calls again.
 */
export async function signIn(email: string, password: string, totpCode?: string): Promise<SessionUser> {
  const d = await post(LoginDocument, { input: { email, password, ...(totpCode ? { totpCode } : {}) } }, null);
  applySession(d.login);
  return d.login.user;
}

export async function signOut(): Promise<void> {
  const token = storedRefreshToken();
  clearSession(false);
  if (token) {
    try {
      await post(LogoutDocument, { input: { refreshToken: token } }, null);
    } catch {
      /* the session is gone locally either way */
    }
  }
}

/**
 * Runs an operation with the session: refreshes first when the access token
 * is about to expire or only a stored refresh token is left, and once more
 * (then retries) on UNAUTHENTICATED.
 */
export async function gql<R, V>(doc: Doc<R, V>, variables?: V): Promise<R> {
  if (accessToken && Date.now() > accessExpiresAt - 5_000) await refreshSession();
  // After a reload only the refresh token is left: resume the session before
  // the first request, or a public query (search, services) would be answered
  // with the visitor's view although the user is signed in.
  else if (!accessToken && hasStoredSession()) await refreshSession();
  const sent = accessToken;
  try {
    return await post(doc, variables, sent);
  } catch (e) {
    if (!(e instanceof ApiError) || !e.has('UNAUTHENTICATED') || !hasStoredSession()) throw e;
    // Another request may have refreshed meanwhile.
    if (accessToken === sent && !(await refreshSession())) throw e;
    return post(doc, variables, accessToken);
  }
}

/** For tests: forget everything. */
export function resetSessionForTests() {
  accessToken = null;
  accessExpiresAt = 0;
  clearTimeout(refreshTimer);
  refreshing = null;
  listeners.clear();
  try {
    sessionStorage.clear();
  } catch {
    /* ignore */
  }
}

// ---------------------------------------------------------------- file endpoints

/** The access token for a non-GraphQL request (refreshed first when about to expire). */
export async function bearerToken(): Promise<string | null> {
  if (accessToken && Date.now() > accessExpiresAt - 5_000) await refreshSession();
  return accessToken;
}

/** Parses the GraphQL-shaped error body of the file endpoints. */
export function fileEndpointError(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as RawResponse<unknown> & {
      errors?: Array<{ extensions?: { findings?: unknown } }>;
    };
    if (body.errors?.length) {
      const err = new ApiError(
        body.errors.map((e) => ({
          message: e.message ?? '',
          code: e.extensions?.code ?? `HTTP_${status}`,
          ...(e.extensions?.field ? { field: e.extensions.field } : {}),
          ...(e.extensions?.messages ? { messages: e.extensions.messages } : {}),
        })),
      );
      (err as ApiError & { findings?: unknown }).findings = body.errors.flatMap((e) => {
        const f = (e.extensions as { findings?: unknown } | undefined)?.findings;
        return Array.isArray(f) ? (f as unknown[]) : [];
      });
      return err;
    }
  } catch {
    /* not JSON */
  }
  return new ApiError([{ code: `HTTP_${status}`, message: text.slice(0, 200) }]);
}

/** One finding of a conformance check, as the upload endpoint reports it. */
export interface UploadFinding {
  file?: string;
  clause: string;
  message: string;
  object?: string | null;
}

/** The findings carried by an upload refusal, if any. */
export function findingsOf(err: unknown): UploadFinding[] {
  const f = (err as { findings?: unknown } | null)?.findings;
  return Array.isArray(f) ? (f as UploadFinding[]) : [];
}

/**
 * Posts `form` with XMLHttpRequest so that upload progress can be shown
 * (`fetch` has no upload progress events). Resolves with the JSON body of
 * a 2xx answer; rejects with an `ApiError` (with `findings` when the files
 * were refused).
 */
export async function uploadWithProgress(url: string, form: FormData, onProgress: (loaded: number, total: number) => void): Promise<unknown> {
  const send = (token: string | null) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.setRequestHeader('Accept-Language', requestLang);
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress(e.loaded, e.total);
      };
      xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
      xhr.onerror = () => reject(networkError());
      xhr.onabort = () => reject(networkError());
      xhr.send(form);
    });
  let res = await send(await bearerToken());
  if (res.status === 401 && hasStoredSession() && (await refreshSession())) res = await send(accessToken);
  if (res.status >= 200 && res.status < 300) {
    try {
      return JSON.parse(res.text) as unknown;
    } catch {
      return null;
    }
  }
  throw fileEndpointError(res.status, res.text);
}

/** Fetches a protected file (Bearer) and returns it as a Blob. */
export async function fetchFile(url: string): Promise<Blob> {
  const go = async (token: string | null) => {
    try {
      return await fetch(url, { headers: token ? { Authorization: `Bearer ${token}`, 'Accept-Language': requestLang } : { 'Accept-Language': requestLang } });
    } catch {
      throw networkError();
    }
  };
  let res = await go(await bearerToken());
  if (res.status === 401 && hasStoredSession() && (await refreshSession())) res = await go(accessToken);
  if (!res.ok) throw fileEndpointError(res.status, await res.text());
  return res.blob();
}
