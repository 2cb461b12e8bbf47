import { useEffect, useState, type ReactNode } from 'react';
import { I18nProvider, LANGS, useI18n, type MessageKey } from './i18n';
import { AuthProvider, useAuth } from './auth';
import { VocabularyProvider, useVocab } from './vocab';
import { Link, match, navigate, useLocation } from './router';
import { navFor } from './nav';
import type { Role } from './api/generated';
import { Loading } from './components/Status';
import { PageTitle } from './components/PageTitle';
import { Landing } from './screens/Landing';
import { SignIn } from './screens/SignIn';
import { Objects } from './screens/Objects';
import { ObjectEditor } from './screens/ObjectEditor';
import { ObjectView } from './screens/ObjectView';
import { Organizations } from './screens/Organizations';
import { Users } from './screens/Users';
import { NotFound } from './screens/ComingSoon';
import { AccountRequest } from './screens/AccountRequest';
import { Activate } from './screens/Activate';
import { AccountRequests } from './screens/AccountRequests';
import { ReviewQueue } from './screens/ReviewQueue';
import { Review } from './screens/Review';
import { Services } from './screens/Services';
import { ServicePage } from './screens/ServicePage';
import { ServiceForm } from './screens/ServiceForm';
import { Calendar } from './screens/Calendar';
import { Documents } from './screens/Documents';
import { ALL_ROLES } from './nav';
import { Dashboards } from './screens/Dashboards';
import { Search } from './screens/Search';
import { IntegrationRequestNew, IntegrationRequestPage } from './screens/IntegrationRequest';
import { IntegrationRequests } from './screens/IntegrationRequests';
import { Security } from './screens/Security';

interface Route {
  path: string;
  /** Roles allowed; null: public. */
  roles: readonly Role[] | null;
  render(params: Record<string, string>, query: URLSearchParams): ReactNode;
}

/** Every screen. Order matters: `/objects/new` before `/objects/:id`. */
export const ROUTES: readonly Route[] = [
  { path: '/', roles: null, render: () => <Landing /> },
  { path: '/sign-in', roles: null, render: (_, q) => <SignIn next={q.get('next')} expired={q.get('expired') === '1'} /> },
  { path: '/objects', roles: ALL_ROLES, render: () => <Objects /> },
  { path: '/objects/new', roles: ['OWNER'], render: () => <ObjectEditor /> },
  { path: '/objects/:id', roles: ALL_ROLES, render: (p) => <ObjectView id={p.id!} /> },
  { path: '/objects/:id/edit', roles: ['OWNER'], render: (p) => <ObjectEditor id={p.id!} /> },
  { path: '/objects/:id/documents', roles: ALL_ROLES, render: (p) => <Documents id={p.id!} /> },
  { path: '/admin/organizations', roles: ['ADMIN'], render: () => <Organizations /> },
  { path: '/admin/users', roles: ['ADMIN'], render: () => <Users /> },
  { path: '/admin/calendar', roles: ['ADMIN'], render: () => <Calendar /> },
  { path: '/account-requests', roles: ['INTEGRATOR', 'ADMIN'], render: () => <AccountRequests /> },
  { path: '/review', roles: ['INTEGRATOR'], render: () => <ReviewQueue /> },
  { path: '/review/:id', roles: ['INTEGRATOR'], render: (p) => <Review id={p.id!} /> },
  { path: '/dashboards', roles: ['ANALYST', 'ADMIN', 'INTEGRATOR'], render: () => <Dashboards /> },
  { path: '/search', roles: null, render: () => <Search /> },
  { path: '/integration-requests', roles: ALL_ROLES, render: () => <IntegrationRequests /> },
  { path: '/integration-requests/new', roles: ['OWNER'], render: (_, q) => <IntegrationRequestNew serviceId={q.get('serviceId')} objectId={q.get('objectId')} /> },
  { path: '/integration-requests/:id', roles: ALL_ROLES, render: (p, q) => <IntegrationRequestPage id={p.id!} filed={q.get('filed') === '1'} /> },
  { path: '/services', roles: null, render: () => <Services /> },
  { path: '/services/new', roles: ['OPERATOR'], render: () => <ServiceForm /> },
  { path: '/services/:serviceId', roles: null, render: (p) => <ServicePage serviceId={p.serviceId!} /> },
  { path: '/services/:serviceId/edit', roles: ['OPERATOR'], render: (p) => <ServiceForm serviceId={p.serviceId!} /> },
  { path: '/account-request', roles: null, render: () => <AccountRequest /> },
  { path: '/activate', roles: null, render: (_, q) => <Activate token={q.get('token')} /> },
  { path: '/account/security', roles: ALL_ROLES, render: () => <Security /> },
];

function Screen() {
  const { path, query } = useLocation();
  const { state, role } = useAuth();
  const { t } = useI18n();

  // A session that ends (expiry, revoked refresh token) goes to sign-in.
  const expired = state.status === 'anonymous' && state.expired;
  for (const r of ROUTES) {
    const params = match(r.path, path);
    if (!params) continue;
    if (r.roles) {
      if (state.status === 'loading') return <Loading />;
      if (state.status === 'anonymous') {
        return <Redirect to={`/sign-in?next=${encodeURIComponent(path + (query.toString() ? `?${query}` : ''))}${expired ? '&expired=1' : ''}`} />;
      }
      if (!role || !r.roles.includes(role))
        return (
          <section>
            <PageTitle text={t('common.notAllowed')}>{t('common.notAllowed')}</PageTitle>
          </section>
        );
    }
    return <>{r.render(params, query)}</>;
  }
  return <NotFound />;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <div className="lang-switch">
      <label htmlFor="lang-select">{t('header.language')}</label>
      <select id="lang-select" value={lang} onChange={(e) => setLang(e.target.value as (typeof LANGS)[number])} data-testid="lang-select">
        {LANGS.map((l) => (
          <option key={l} value={l} lang={l}>
            {t(`lang.${l}` as MessageKey)}
          </option>
        ))}
      </select>
    </div>
  );
}

function Header() {
  const { t } = useI18n();
  const vocab = useVocab();
  const { user, role, signOut, state } = useAuth();
  const { path } = useLocation();
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [path]);
  const items = navFor(role);
  // The current item: the longest nav path that is the path or a prefix of it.
  const current = items
    .filter((i) => (i.to === '/' ? path === '/' : path === i.to || path.startsWith(`${i.to}/`)))
    .sort((a, b) => b.to.length - a.to.length)[0]?.to;
  const isCurrent = (to: string) => to === current;

  return (
    <header className="site-header">
      <div className="header-top">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          <span>
            <span className="brand-title">{t('app.title')}</span>
            <span className="brand-sub">{t('app.subtitle')}</span>
          </span>
        </Link>
        <div className="header-tools">
          <LanguageSwitch />
          {user ? (
            <div className="user-box">
              <span className="user-name" title={t('header.signedInAs', { name: user.fullName })}>
                {user.fullName}
                <span className="sub">{vocab.label('role', user.role)}</span>
              </span>
              <Link to="/account/security" className="btn btn-small" aria-current={path === '/account/security' ? 'page' : undefined}>
                {t('nav.security')}
              </Link>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => {
                  void signOut().then(() => navigate('/'));
                }}
              >
                {t('nav.signOut')}
              </button>
            </div>
          ) : (
            state.status !== 'loading' &&
            path !== '/sign-in' && (
              <Link to="/sign-in" className="btn btn-small btn-primary">
                {t('nav.signIn')}
              </Link>
            )
          )}
          <button type="button" className="btn btn-small menu-toggle" aria-expanded={open} aria-controls="main-nav" onClick={() => setOpen((o) => !o)}>
            ☰ {t('nav.menu')}
          </button>
        </div>
      </div>
      <nav id="main-nav" aria-label={t('nav.main')} className={`main-nav${open ? ' open' : ''}`}>
        <ul>
          {user && (
            <li className="nav-user">
              {t('header.signedInAs', { name: user.fullName })}
              <span className="sub">{vocab.label('role', user.role)}</span>
            </li>
          )}
          {items.map((i) => (
            <li key={i.to}>
              <Link to={i.to} aria-current={isCurrent(i.to) ? 'page' : undefined}>
                {t(i.label)}
                {i.soon && <span className="soon-dot" title={t('common.comingSoon')} aria-label={`(${t('common.comingSoon')})`} />}
              </Link>
            </li>
          ))}
          <li>
            <a href="/graphql">{t('nav.graphiql')}</a>
          </li>
        </ul>
      </nav>
    </header>
  );
}

function Shell() {
  const { t } = useI18n();
  return (
    <>
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <Header />
      <main id="main" className="main">
        <Screen />
      </main>
      <footer className="site-footer">
        <p>
          {t('app.title')} · {t('app.footer')}
        </p>
      </footer>
    </>
  );
}

export function App() {
  return (
    <I18nProvider>
      <AuthProvider>
        <VocabularyProvider>
          <Shell />
        </VocabularyProvider>
      </AuthProvider>
    </I18nProvider>
  );
}
