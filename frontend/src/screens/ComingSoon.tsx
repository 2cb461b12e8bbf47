import { useI18n, type MessageKey } from '../i18n';
import { PageTitle } from '../components/PageTitle';

/** A placeholder for a screen a later issue builds. */
export function ComingSoon({ title, text }: { title: MessageKey; text: MessageKey }) {
  const { t } = useI18n();
  return (
    <section className="coming-soon" data-testid="coming-soon">
      <PageTitle text={t(title)}>{t(title)}</PageTitle>
      <p>
        <span className="badge badge-soon">{t('common.comingSoon')}</span>
      </p>
      <p>{t(text)}</p>
      <p className="muted">{t('common.comingSoonText')}</p>
    </section>
  );
}

export function NotFound() {
  const { t } = useI18n();
  return (
    <section>
      <PageTitle text={t('common.notFound')}>{t('common.notFound')}</PageTitle>
      <p>{t('common.notFoundText')}</p>
    </section>
  );
}
