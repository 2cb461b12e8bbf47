import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, gql, refreshSession, resetSessionForTests, signIn, signOut } from './client';
import { MeDocument } from './generated';
import { apiError, mockGraphQL } from '../test/helpers';

const session = (access: string, refresh: string) => ({
  accessToken: access,
  accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
  refreshToken: refresh,
  refreshTokenExpiresAt: new Date(Date.now() + 9e8).toISOString(),
  user: { id: 'u', email: 'a@b.kz', fullName: 'A', role: 'OWNER', language: 'RU', organization: null },
});

beforeEach(() => resetSessionForTests());
afterEach(() => vi.unstubAllGlobals());

describe('session', () => {
  it('on UNAUTHENTICATED refreshes once and retries with the new token', async () => {
    let n = 0;
    const calls = mockGraphQL({
      Login: () => ({ data: { login: session('old', 'r1') } }),
      RefreshToken: (v) => {
        expect(v).toEqual({ input: { refreshToken: 'r1' } });
        return { data: { refreshToken: session('new', 'r2') } };
      },
      Me: (_v, h) => (n++ === 0 ? apiError('UNAUTHENTICATED', undefined, 'expired', 'ru', 'kk') : { data: { me: { id: 'u', auth: h.Authorization } } }),
    });
    await signIn('a@b.kz', 'pw');
    const me = (await gql(MeDocument)) as unknown as { me: { auth: string } };
    expect(me.me.auth).toBe('Bearer new');
    expect(calls.map((c) => c.operationName)).toEqual(['Login', 'Me', 'RefreshToken', 'Me']);
    expect(sessionStorage.getItem('archportal.refreshToken')).toBe('r2');
  });

  it('runs one refresh at a time (a refresh token works once)', async () => {
    sessionStorage.setItem('archportal.refreshToken', 'r1');
    const calls = mockGraphQL({ RefreshToken: () => ({ data: { refreshToken: session('a', 'r2') } }) });
    const [a, b] = await Promise.all([refreshSession(), refreshSession()]);
    expect(a && b).toBe(true);
    expect(calls.filter((c) => c.operationName === 'RefreshToken')).toHaveLength(1);
  });

  it('after a reload, resumes the stored session before the first request (public queries get the signed-in view)', async () => {
    sessionStorage.setItem('archportal.refreshToken', 'r1');
    const calls = mockGraphQL({
      RefreshToken: () => ({ data: { refreshToken: session('fresh', 'r2') } }),
      Me: (_v, h) => ({ data: { me: { id: 'u', auth: h.Authorization } } }),
    });
    const me = (await gql(MeDocument)) as unknown as { me: { auth: string } };
    expect(me.me.auth).toBe('Bearer fresh');
    expect(calls.map((c) => c.operationName)).toEqual(['RefreshToken', 'Me']);
  });

  it('a refused refresh ends the session', async () => {
    sessionStorage.setItem('archportal.refreshToken', 'used');
    mockGraphQL({ RefreshToken: () => apiError('UNAUTHENTICATED', undefined, 'revoked', 'ru', 'kk') });
    expect(await refreshSession()).toBe(false);
    expect(sessionStorage.getItem('archportal.refreshToken')).toBeNull();
  });

  it('sign-out revokes the refresh token on the server and forgets it', async () => {
    const calls = mockGraphQL({
      Login: () => ({ data: { login: session('a', 'r1') } }),
      Logout: (v) => ({ data: { logout: { revoked: (v.input as { refreshToken: string }).refreshToken === 'r1' } } }),
    });
    await signIn('a@b.kz', 'pw');
    await signOut();
    expect(calls.map((c) => c.operationName)).toEqual(['Login', 'Logout']);
    expect(sessionStorage.getItem('archportal.refreshToken')).toBeNull();
  });

  it('reports a network failure as NETWORK', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('offline'))));
    await expect(gql(MeDocument)).rejects.toSatisfy((e) => e instanceof ApiError && e.has('NETWORK'));
  });
});
