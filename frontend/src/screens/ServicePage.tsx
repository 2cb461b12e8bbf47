import { useState } from 'react';
import { useI18n } from '../i18n';
import { useAuth } from '../auth';
import { ServiceDocument } from '../api/generated';
import { useQuery } from '../components/useQuery';
import { ErrorBox, Loading, Notice } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { enumLabel } from '../components/enumLabel';
import { Link, useLocation } from '../router';
import { serviceName, ServiceStatusBadge } from './Services';
import { MaintenanceSection } from './Maintenance';

/** A service of the registry: description, addresses, specification, consumers. */
export function ServicePage({ serviceId }: { serviceId: string }) {
  const { t, fmt, lang } = useI18n();
  const { role, user } = useAuth();
  const { query } = useLocation();
  // Who consumes a service is for signed-in users; visitors see the rest.
  const q = useQuery(ServiceDocument, { serviceId, withConsumers: role !== null });
  const [showSpec, setShowSpec] = useState(false);
  if (q.error !== undefined && !q.data) return <ErrorBox error={q.error} onRetry={q.reload} />;
  if (!q.data) return <Loading />;
  const s = q.data.service;
  if (!s)
    return (
      <section>
        <PageTitle text={t('common.notFound')}>{t('common.notFound')}</PageTitle>
        <p>{t('services.notFound')}</p>
      </section>
    );
  const spec = s.specification;
  const specHref = spec ? `data:${spec.format === 'WSDL' ? 'application/xml' : 'text/plain'};charset=utf-8,${encodeURIComponent(spec.content)}` : '';
  const specName = spec ? `${s.serviceId}.${spec.format === 'WSDL' ? 'wsdl' : /^\s*\{/.test(spec.content) ? 'json' : 'yaml'}` : '';

  return (
    <article>
      <p className="breadcrumb">
        <Link to="/services">← {t('nav.services')}</Link>
      </p>
      <div className="page-head">
        <PageTitle text={serviceName(s, lang)}>{serviceName(s, lang)}</PageTitle>
        {role === 'OPERATOR' && (
          <div className="actions">
            <Link to={`/services/${encodeURIComponent(s.serviceId)}/edit`} className="btn btn-primary">
              {t('common.edit')}
            </Link>
          </div>
        )}
        {role === 'OWNER' && (
          <div className="actions">
            <Link to={`/integration-requests/new?serviceId=${encodeURIComponent(s.serviceId)}`} className="btn btn-primary" data-testid="request-integration">
              {t('integration.request')}
            </Link>
          </div>
        )}
      </div>
      <p className="lead">
        <code>{s.serviceId}</code> · <ServiceStatusBadge status={s.status} />
      </p>
      {query.get('saved') && <Notice>{t('services.saved')}</Notice>}
      <div className="two-col">
        <section className="panel" aria-labelledby="svc-h">
          <h2 id="svc-h">{t('object.details')}</h2>
          <dl className="details" data-testid="service-details">
            <dt>{t('services.description')}</dt>
            <dd className="pre">{s.description}</dd>
            <dt>{t('services.facet.gateway')}</dt>
            <dd>{enumLabel(t, 'gateway', s.gateway)}</dd>
            <dt>{t('services.facet.protocol')}</dt>
            <dd>
              {enumLabel(t, 'protocol', s.protocol)} · {enumLabel(t, 'interaction', s.interaction)}
            </dd>
            <dt>{t('services.version')}</dt>
            <dd>{s.version}</dd>
            <dt>{t('services.facet.personalData')}</dt>
            <dd>{s.personalData ? t('services.personalDataNote') : t('common.no')}</dd>
            <dt>{t('services.testAddress')}</dt>
            <dd>{s.testAddress ? <code className="wrap">{s.testAddress}</code> : t('common.none')}</dd>
            <dt>{t('services.productionAddress')}</dt>
            <dd>{s.productionAddress ? <code className="wrap">{s.productionAddress}</code> : t('common.none')}</dd>
            <dt>{t('object.organization')}</dt>
            <dd>{s.organization ? (lang === 'kk' ? s.organization.nameKk : s.organization.nameRu) : t('common.none')}</dd>
            <dt>{t('services.object')}</dt>
            <dd>{s.object ? <Link to={`/objects/${s.object.id}`}>{s.object.shortName}</Link> : t('common.none')}</dd>
            <dt>{t('object.updatedAt')}</dt>
            <dd>{fmt.dateTime(s.updatedAt)}</dd>
          </dl>
        </section>
        <div>
          <section className="panel" aria-labelledby="spec-h">
            <h2 id="spec-h">{t('services.specification')}</h2>
            {!spec ? (
              <p>{t('services.noSpecification')}</p>
            ) : (
              <>
                <p>{enumLabel(t, 'specificationFormat', spec.format)}</p>
                <div className="form-actions">
                  <a className="btn" href={specHref} download={specName} data-testid="spec-download">
                    {t('services.downloadSpec')}
                  </a>
                  <button type="button" className="btn" aria-expanded={showSpec} aria-controls="spec-text" onClick={() => setShowSpec((v) => !v)}>
                    {showSpec ? t('services.hideSpec') : t('services.viewSpec')}
                  </button>
                </div>
                {showSpec && (
                  <pre id="spec-text" className="spec" tabIndex={0}>
                    {spec.content}
                  </pre>
                )}
              </>
            )}
          </section>
          <MaintenanceSection
            serviceId={s.serviceId}
            windows={s.maintenanceWindows}
            canAnnounce={role === 'OPERATOR' || (role === 'OWNER' && !!user?.organization && user.organization.id === s.organization?.id)}
            onAnnounced={q.reload}
          />
          {s.consumers && (
          <section className="panel" aria-labelledby="cons-h">
            <h2 id="cons-h">{t('services.consumers')}</h2>
            {s.consumers.length === 0 ? (
              <p>{t('services.noConsumers')}</p>
            ) : (
              <ul className="plain">
                {s.consumers.map((c, i) => (
                  <li key={i}>
                    {c.organization ? (lang === 'kk' ? c.organization.nameKk : c.organization.nameRu) : t('common.none')}
                    {c.object && <> · <Link to={`/objects/${c.object.id}`}>{c.object.shortName}</Link></>}
                    <span className="sub"> · {t('services.since', { date: fmt.dateTime(c.since) })}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          )}
        </div>
      </div>
    </article>
  );
}
