/**
 * The signed-in user for the React tree. Tokens live in `api/client.ts`;
 * this only mirrors its events. On load a stored refresh token resumes the
 * session (the access token is kept in memory only).
 */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import * as client from '../api/client';
import type { Role } from '../api/generated';

export type User = client.SessionUser;

export type AuthState =
  | { status: 'loading' }
  | { status: 'anonymous'; expired: boolean }
  | { status: 'signedIn'; user: User };

export interface Auth {
  state: AuthState;
  user: User | null;
  role: Role | null;
  signIn(email: string, password: string, totpCode?: string): Promise<User>;
  signOut(): Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>(() =>
    client.hasStoredSession() ? { status: 'loading' } : { status: 'anonymous', expired: false },
  );

  useEffect(() => {
    const off = client.onSessionChange((e) =>
      setState(e.kind === 'signedIn' ? { status: 'signedIn', user: e.user } : { status: 'anonymous', expired: e.expired }),
    );
    if (client.hasStoredSession()) {
      client.refreshSession().then(
        (ok) => !ok && setState({ status: 'anonymous', expired: true }),
        () => setState({ status: 'anonymous', expired: false }),
      );
    }
    return off;
  }, []);

  const value = useMemo<Auth>(
    () => ({
      state,
      user: state.status === 'signedIn' ? state.user : null,
      role: state.status === 'signedIn' ? state.user.role : null,
      signIn: client.signIn,
      signOut: client.signOut,
    }),
    [state],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
