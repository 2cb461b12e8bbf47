import { useI18n } from '../i18n';
import { Link } from '../router';
import { PageTitle } from '../components/PageTitle';
import { useAuth } from '../auth';
import { SearchBox } from './Search';

/** What the portal is, for everyone. */
export function Landing() {
  const { t } = useI18n();
  const { user } = useAuth();
  const cards = [
    ['landing.ownersTitle', 'landing.ownersText'],
    ['landing.integratorTitle', 'landing.integratorText'],
    ['landing.analystsTitle', 'landing.analystsText'],
  ] as const;
  return (
    <div className="landing">
      <section className="hero">
        <PageTitle text={t('landing.title')}>{t('landing.title')}</PageTitle>
        <p className="lead">{t('landing.lead')}</p>
        <SearchBox />
        {!user && (
          <p className="actions">
            <Link to="/sign-in" className="btn btn-primary">
              {t('landing.signInCta')}
            </Link>
            <Link to="/account-request" className="btn">
              {t('landing.requestCta')}
            </Link>
          </p>
        )}
      </section>
      <ul className="cards">
        {cards.map(([title, text]) => (
          <li key={title} className="card">
            <h2>{t(title)}</h2>
            <p>{t(text)}</p>
          </li>
        ))}
        <li className="card">
          <h2>{t('landing.apiTitle')}</h2>
          <p>{t('landing.apiText')}</p>
          <p>
            <a href="/graphql">{t('landing.apiLink')}</a>
          </p>
        </li>
      </ul>
    </div>
  );
}
