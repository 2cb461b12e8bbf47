/**
 * Which screens each role sees. Navigation is built from this table, and
 * the same table guards the routes (the API enforces access regardless).
 */
import type { Role } from './api/generated';
import type { MessageKey } from './i18n';

export const ALL_ROLES: readonly Role[] = ['OWNER', 'INTEGRATOR', 'OPERATOR', 'ANALYST', 'ADMIN'];

export interface NavItem {
  to: string;
  label: MessageKey;
  /** null: public (shown to anonymous visitors too). */
  roles: readonly Role[] | null;
  /** Shown only to anonymous visitors. */
  anonymousOnly?: boolean;
  soon?: boolean;
}

export const NAV: readonly NavItem[] = [
  { to: '/', label: 'nav.home', roles: null },
  { to: '/objects', label: 'nav.objects', roles: ALL_ROLES },
  { to: '/objects/new', label: 'nav.newObject', roles: ['OWNER'] },
  { to: '/review', label: 'nav.review', roles: ['INTEGRATOR'] },
  { to: '/account-requests', label: 'nav.accountRequests', roles: ['INTEGRATOR', 'ADMIN'] },
  { to: '/search', label: 'nav.search', roles: null },
  { to: '/services', label: 'nav.services', roles: null },
  { to: '/integration-requests', label: 'nav.integrationRequests', roles: ['OWNER', 'INTEGRATOR', 'OPERATOR', 'ADMIN'] },
  { to: '/dashboards', label: 'nav.dashboards', roles: ['ANALYST', 'ADMIN', 'INTEGRATOR'] },
  { to: '/admin/organizations', label: 'nav.organizations', roles: ['ADMIN'] },
  { to: '/admin/users', label: 'nav.users', roles: ['ADMIN'] },
  { to: '/admin/calendar', label: 'nav.calendar', roles: ['ADMIN'] },
  { to: '/account-request', label: 'nav.accountRequest', roles: null, anonymousOnly: true },
];

export function navFor(role: Role | null): NavItem[] {
  return NAV.filter((i) => (role ? !i.anonymousOnly && (i.roles === null || i.roles.includes(role)) : i.roles === null));
}

/** Where a role lands after signing in. */
export function homeFor(role: Role): string {
  switch (role) {
    case 'ADMIN':
      return '/admin/organizations';
    case 'OPERATOR':
      return '/services';
    case 'INTEGRATOR':
      return '/review';
    default:
      return '/objects';
  }
}
