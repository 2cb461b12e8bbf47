import { useState } from 'react';
import { useI18n } from '../i18n';
import { useAuth } from '../auth';
import { ServicesDocument, type Gateway, type Protocol, type ServiceFilterInput, type ServiceStatus } from '../api/generated';
import { useQuery } from '../components/useQuery';
import { ErrorBox, Loading } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { Pager } from '../components/Pager';
import { Cell } from '../components/Cell';
import { enumLabel, type EnumGroup } from '../components/enumLabel';
import { Link, navigate, useLocation } from '../router';

const PAGE = 50;
/** Facet name → the URL parameter and the enum group that labels its values. */
const FACETS: Array<{ name: 'gateway' | 'status' | 'protocol' | 'personalData'; group: EnumGroup | null }> = [
  { name: 'gateway', group: 'gateway' },
  { name: 'status', group: 'serviceStatus' },
  { name: 'protocol', group: 'protocol' },
  { name: 'personalData', group: null },
];

/** The URL's facet selections → the API filter. */
export function serviceFilter(q: URLSearchParams): ServiceFilterInput {
  const f: ServiceFilterInput = {};
  const list = (k: string) => q.getAll(k).filter(Boolean);
  if (list('gateway').length) f.gateways = list('gateway') as Gateway[];
  if (list('status').length) f.statuses = list('status') as ServiceStatus[];
  if (list('protocol').length) f.protocols = list('protocol') as Protocol[];
  const pd = q.get('personalData');
  if (pd === 'true' || pd === 'false') f.personalData = pd === 'true';
  return f;
}

/** Toggles one facet value in the query string. */
export function toggleFacet(q: URLSearchParams, name: string, value: string): URLSearchParams {
  const next = new URLSearchParams(q);
  if (name === 'personalData') {
    if (next.get(name) === value) next.delete(name);
    else next.set(name, value);
    return next;
  }
  const vals = next.getAll(name);
  next.delete(name);
  for (const v of vals.includes(value) ? vals.filter((v) => v !== value) : [...vals, value]) next.append(name, v);
  return next;
}

/** The service registry: services of the gateways with facet counts. */
export function Services() {
  const { t, fmt, lang } = useI18n();
  const { role } = useAuth();
  const { query } = useLocation();
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const filter = serviceFilter(query);
  const q = useQuery(ServicesDocument, { filter, first: PAGE, after: cursors[cursors.length - 1] ?? null });
  const conn = q.data?.services;
  const facetLabel = (name: string, value: string) => {
    const g = FACETS.find((f) => f.name === name)?.group;
    if (g) return enumLabel(t, g, value);
    return value === 'true' ? t('services.withPersonalData') : t('services.withoutPersonalData');
  };
  const selected = (name: string, value: string) => (name === 'personalData' ? query.get(name) === value : query.getAll(name).includes(value));
  const go = (next: URLSearchParams) => {
    setCursors([null]);
    const s = next.toString();
    navigate(`/services${s ? `?${s}` : ''}`, { replace: true });
  };

  return (
    <section>
      <div className="page-head">
        <PageTitle text={t('services.title')}>{t('services.title')}</PageTitle>
        {role === 'OPERATOR' && (
          <div className="actions">
            <Link to="/services/new" className="btn btn-primary">
              {t('services.register')}
            </Link>
          </div>
        )}
      </div>
      <p className="lead">{t('services.lead')}</p>
      <div className="with-facets">
        <aside className="panel facets" aria-label={t('services.facets')} data-testid="facets">
          <h2>{t('services.facets')}</h2>
          {FACETS.map((f) => {
            const facet = conn?.facets.find((x) => x.name === f.name);
            return (
              <fieldset key={f.name} className="facet" data-facet={f.name}>
                <legend>{t(`services.facet.${f.name}` as 'services.facet.gateway')}</legend>
                {(facet?.values ?? []).length === 0 && <p className="muted">{t('common.none')}</p>}
                {facet?.values.map((v) => {
                  const id = `facet-${f.name}-${v.value}`;
                  return (
                    <div className="facet-value" key={v.value}>
                      <input id={id} type="checkbox" checked={selected(f.name, v.value)} onChange={() => go(toggleFacet(query, f.name, v.value))} />
                      <label htmlFor={id}>
                        {facetLabel(f.name, v.value)} <span className="facet-count">{fmt.number(v.count)}</span>
                      </label>
                    </div>
                  );
                })}
              </fieldset>
            );
          })}
          {query.toString() && (
            <button type="button" className="btn btn-small" onClick={() => go(new URLSearchParams())}>
              {t('objects.resetFilters')}
            </button>
          )}
        </aside>
        <div className="grow-min">
          {q.error !== undefined && <ErrorBox error={q.error} onRetry={q.reload} />}
          {!conn && q.loading && <Loading />}
          {conn && (
            <>
              <div className="table-wrap" role="region" aria-label={t('common.scrollTable')} tabIndex={0}>
                <table className={`table table-cards${q.loading ? ' stale' : ''}`} data-testid="services-table">
                  <caption className="sr-only">{t('services.title')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('services.serviceId')}</th>
                      <th scope="col">{t('services.name')}</th>
                      <th scope="col">{t('services.facet.gateway')}</th>
                      <th scope="col">{t('services.facet.status')}</th>
                      <th scope="col">{t('services.facet.protocol')}</th>
                      <th scope="col">{t('services.facet.personalData')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {conn.nodes.length === 0 && (
                      <tr>
                        <td colSpan={6} className="empty">
                          {t('services.empty')}
                        </td>
                      </tr>
                    )}
                    {conn.nodes.map((s) => (
                      <tr key={s.id}>
                        <Cell label={t('services.serviceId')}>
                          <Link to={`/services/${encodeURIComponent(s.serviceId)}`}>
                            <code>{s.serviceId}</code>
                          </Link>
                        </Cell>
                        <Cell label={t('services.name')}>
                          {serviceName(s, lang)}
                          {s.organization && <div className="sub">{lang === 'kk' ? s.organization.nameKk : s.organization.nameRu}</div>}
                        </Cell>
                        <Cell label={t('services.facet.gateway')}>{enumLabel(t, 'gateway', s.gateway)}</Cell>
                        <Cell label={t('services.facet.status')}>
                          <ServiceStatusBadge status={s.status} />
                        </Cell>
                        <Cell label={t('services.facet.protocol')}>
                          {enumLabel(t, 'protocol', s.protocol)} · {enumLabel(t, 'interaction', s.interaction)}
                        </Cell>
                        <Cell label={t('services.facet.personalData')}>{s.personalData ? t('common.yes') : t('common.no')}</Cell>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager
                page={cursors.length}
                total={conn.totalCount}
                hasNext={conn.pageInfo.hasNextPage}
                busy={q.loading}
                onNext={() => conn.pageInfo.endCursor && setCursors((c) => [...c, conn.pageInfo.endCursor])}
                onFirst={() => setCursors([null])}
              />
            </>
          )}
        </div>
      </div>
    </section>
  );
}

/** A service's name in the UI language: English falls back to Russian when the service has none. */
export function serviceName(s: { nameKk: string; nameRu: string; nameEn: string | null }, lang: string): string {
  if (lang === 'kk') return s.nameKk;
  if (lang === 'en' && s.nameEn) return s.nameEn;
  return s.nameRu;
}

/** A service's status as a coloured badge (`.badge-svc-*`), labelled in the UI language. */
export function ServiceStatusBadge({ status }: { status: ServiceStatus }) {
  const { t } = useI18n();
  return <span className={`badge badge-svc-${status.toLowerCase()}`}>{enumLabel(t, 'serviceStatus', status)}</span>;
}
