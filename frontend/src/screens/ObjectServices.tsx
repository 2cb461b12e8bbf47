import { useI18n } from '../i18n';
import type { ObjectServiceFragment } from '../api/generated';
import { Cell } from '../components/Cell';
import { enumLabel } from '../components/enumLabel';
import { Link } from '../router';
import { serviceName, ServiceStatusBadge } from './Services';

/**
 * The gateway services an object provides that the reader may see
 * (`InformatizationObject.services`, by ServiceID), each linking to its page.
 */
export function ObjectServices({ services }: { services: readonly ObjectServiceFragment[] }) {
  const { t, fmt, lang } = useI18n();
  return (
    <section aria-labelledby="obj-svc-h" className="panel" data-testid="object-services">
      <h2 id="obj-svc-h">
        {t('object.services')}
        <span className="count"> ({fmt.number(services.length)})</span>
      </h2>
      {services.length === 0 ? (
        <p data-testid="object-services-empty">{t('object.servicesEmpty')}</p>
      ) : (
        <div className="table-wrap" role="region" aria-label={t('common.scrollTable')} tabIndex={0}>
          <table className="table table-cards">
            <caption className="sr-only">{t('object.services')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('services.serviceId')}</th>
                <th scope="col">{t('services.name')}</th>
                <th scope="col">{t('services.facet.gateway')}</th>
                <th scope="col">{t('services.facet.status')}</th>
              </tr>
            </thead>
            <tbody>
              {services.map((s) => (
                <tr key={s.id} data-service-id={s.serviceId}>
                  <Cell label={t('services.serviceId')}>
                    <Link to={`/services/${encodeURIComponent(s.serviceId)}`}>
                      <code>{s.serviceId}</code>
                    </Link>
                  </Cell>
                  <Cell label={t('services.name')}>{serviceName(s, lang)}</Cell>
                  <Cell label={t('services.facet.gateway')}>{enumLabel(t, 'gateway', s.gateway)}</Cell>
                  <Cell label={t('services.facet.status')}>
                    <ServiceStatusBadge status={s.status} />
                  </Cell>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
