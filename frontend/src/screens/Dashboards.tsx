import { useState } from 'react';
import { useI18n } from '../i18n';
import { useVocab } from '../vocab';
import { fetchFile } from '../api/client';
import { StatisticsDocument, type InformatizationObjectFilter, type DocumentKind, type LifeCycleStage, type ObjectKind, type RegistrationStatus } from '../api/generated';
import { useQuery } from '../components/useQuery';
import { ErrorBox, Loading } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { BarChart, ColumnChart } from '../components/BarChart';
import { enumLabel } from '../components/enumLabel';
import { navigate, useLocation } from '../router';
import { splitErrors } from '../api/errors';

/** The URL's dashboard filters → `InformatizationObjectFilter`. */
export function dashboardFilter(q: URLSearchParams): InformatizationObjectFilter {
  const f: InformatizationObjectFilter = {};
  const list = (k: string) => q.getAll(k).filter(Boolean);
  if (list('kind').length) f.kinds = list('kind') as ObjectKind[];
  if (list('stage').length) f.stages = list('stage') as LifeCycleStage[];
  if (list('status').length) f.registrationStatuses = list('status') as RegistrationStatus[];
  const pd = q.get('personalData');
  if (pd === 'true' || pd === 'false') f.containsPersonalData = pd === 'true';
  if (q.get('archived') === 'true') f.includeArchived = true;
  // Dates are days in Almaty (UTC+5): from the start of `from` to the end of `to`.
  const from = q.get('from');
  if (from && /^\d{4}-\d{2}-\d{2}$/.test(from)) f.registeredFrom = `${from}T00:00:00+05:00`;
  const to = q.get('to');
  if (to && /^\d{4}-\d{2}-\d{2}$/.test(to)) f.registeredTo = new Date(Date.parse(`${to}T00:00:00+05:00`) + 86_400_000).toISOString();
  return f;
}

/**
 * The export endpoint's URL for a dataset with the filter as query
 * parameters, named as in the GraphQL filter (lists comma-separated).
 */
export function exportUrl(dataset: 'objects' | 'services', format: 'csv' | 'xlsx', filter: InformatizationObjectFilter): string {
  const p = new URLSearchParams();
  if (dataset === 'objects') {
    for (const [k, v] of Object.entries(filter)) {
      if (v === undefined || v === null) continue;
      p.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
  } else if (filter.organizationId) {
    p.set('organizationId', filter.organizationId);
  }
  const s = p.toString();
  return `/api/export/${dataset}.${format}${s ? `?${s}` : ''}`;
}

function ExportButtons({ dataset, filter }: { dataset: 'objects' | 'services'; filter: InformatizationObjectFilter }) {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const errs = splitErrors(error, [], lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });
  async function download(format: 'csv' | 'xlsx') {
    setBusy(format);
    setError(null);
    try {
      const blob = await fetchFile(exportUrl(dataset, format, filter));
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${dataset}.${format}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }
  return (
    <div className="export-buttons" role="group" aria-label={t(`dash.export.${dataset}`)} data-testid={`export-${dataset}`}>
      <span className="export-label">{t(`dash.export.${dataset}`)}</span>
      {(['csv', 'xlsx'] as const).map((f) => (
        <button key={f} type="button" className="btn btn-small" disabled={busy !== null} aria-busy={busy === f} onClick={() => void download(f)} data-format={f}>
          {busy === f ? t('dash.exporting') : f.toUpperCase()}
        </button>
      ))}
      {[...errs.general, ...Object.values(errs.byField)].map((m, i) => (
        <p key={i} className="field-error" role="alert">
          {m}
        </p>
      ))}
    </div>
  );
}

/** Analyst dashboards: the registry in numbers, with filters and exports. */
export function Dashboards() {
  const { t, fmt, lang } = useI18n();
  const vocab = useVocab();
  const { query } = useLocation();
  const filter = dashboardFilter(query);
  const q = useQuery(StatisticsDocument, { filter });
  const s = q.data?.statistics;

  const go = (next: URLSearchParams) => {
    const str = next.toString();
    navigate(`/dashboards${str ? `?${str}` : ''}`, { replace: true });
  };
  const setOne = (k: string, v: string) => {
    const next = new URLSearchParams(query);
    if (v) next.set(k, v);
    else next.delete(k);
    go(next);
  };
  const select = (k: string, label: string, vocabKey: 'objectKind' | 'lifeCycleStage' | 'registrationStatus') => (
    <div className="field" data-field={k}>
      <label htmlFor={`dash-${k}`}>{label}</label>
      <select id={`dash-${k}`} value={query.get(k) ?? ''} onChange={(e) => setOne(k, e.target.value)}>
        <option value="">{t('common.all')}</option>
        {vocab.options(vocabKey).map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
  const codes = (list: ReadonlyArray<{ code: string; count: number }>, label: (c: string) => string) => list.map((c) => ({ key: c.code, label: label(c.code), value: c.count }));
  const month = (m: string) => {
    const [y, mm] = m.split('-').map(Number);
    if (!y || !mm) return m;
    try {
      return new Intl.DateTimeFormat(lang === 'kk' ? 'kk-KZ' : lang === 'ru' ? 'ru-RU' : 'en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, mm - 1, 1)));
    } catch {
      return m;
    }
  };
  const days = (d: number | null | undefined) => (d === null || d === undefined ? t('common.none') : t('dash.days', { n: fmt.number(Math.round(d * 10) / 10) }));

  return (
    <section data-testid="dashboards">
      <div className="page-head">
        <PageTitle text={t('dash.title')}>{t('dash.title')}</PageTitle>
        <div className="actions">
          <a href="/graphql" className="btn">
            {t('dash.graphiql')}
          </a>
        </div>
      </div>
      <p className="lead">{t('dash.lead')}</p>
      <form className="panel filters dash-filters" aria-label={t('dash.filters')} onSubmit={(e) => e.preventDefault()} data-testid="dash-filters">
        {select('kind', t('dash.byKind'), 'objectKind')}
        {select('stage', t('dash.byStage'), 'lifeCycleStage')}
        {select('status', t('dash.byStatus'), 'registrationStatus')}
        <div className="field" data-field="personalData">
          <label htmlFor="dash-pd">{t('services.facet.personalData')}</label>
          <select id="dash-pd" value={query.get('personalData') ?? ''} onChange={(e) => setOne('personalData', e.target.value)}>
            <option value="">{t('common.all')}</option>
            <option value="true">{t('services.withPersonalData')}</option>
            <option value="false">{t('services.withoutPersonalData')}</option>
          </select>
        </div>
        <div className="field" data-field="registeredFrom">
          <label htmlFor="dash-from">{t('dash.registeredFrom')}</label>
          <input id="dash-from" type="date" value={query.get('from') ?? ''} onChange={(e) => setOne('from', e.target.value)} />
        </div>
        <div className="field" data-field="registeredTo">
          <label htmlFor="dash-to">{t('dash.registeredTo')}</label>
          <input id="dash-to" type="date" value={query.get('to') ?? ''} onChange={(e) => setOne('to', e.target.value)} />
        </div>
        <div className="field field-inline" data-field="includeArchived">
          <div className="inline-row">
            <input id="dash-archived" type="checkbox" checked={query.get('archived') === 'true'} onChange={(e) => setOne('archived', e.target.checked ? 'true' : '')} />
            <label htmlFor="dash-archived">{t('dash.includeArchived')}</label>
          </div>
        </div>
        {query.toString() && (
          <button type="button" className="btn btn-small" onClick={() => go(new URLSearchParams())}>
            {t('objects.resetFilters')}
          </button>
        )}
      </form>
      <div className="export-row">
        <ExportButtons dataset="objects" filter={filter} />
        <ExportButtons dataset="services" filter={filter} />
      </div>
      {q.error !== undefined && <ErrorBox error={q.error} onRetry={q.reload} />}
      {!s && q.loading && <Loading />}
      {s && (
        <div className={`dash-grid${q.loading ? ' stale' : ''}`}>
          <dl className="panel kpis" data-testid="kpis">
            <div>
              <dt>{t('dash.totalObjects')}</dt>
              <dd data-testid="total-objects">{fmt.number(s.totalObjects)}</dd>
            </div>
            <div>
              <dt>{t('dash.overdueUpdates')}</dt>
              <dd data-testid="overdue-updates">{fmt.number(s.overdueUpdates)}</dd>
            </div>
            <div>
              <dt>{t('dash.slaMedian')}</dt>
              <dd>{days(s.reviewSla.medianWorkingDays)}</dd>
            </div>
            <div>
              <dt>{t('dash.slaP90')}</dt>
              <dd>{days(s.reviewSla.p90WorkingDays)}</dd>
            </div>
          </dl>
          <BarChart
            title={t('dash.sla')}
            testId="chart-sla"
            bars={[
              { key: 'onTime', label: t('dash.slaOnTime'), value: s.reviewSla.onTime },
              { key: 'late', label: t('dash.slaLate'), value: s.reviewSla.late },
              { key: 'overduePending', label: t('dash.slaOverduePending'), value: s.reviewSla.overduePending },
            ]}
          />
          <BarChart title={t('dash.byStage')} testId="chart-stage" bars={codes(s.objectsByStage, (c) => vocab.label('lifeCycleStage', c))} />
          <BarChart title={t('dash.byKind')} testId="chart-kind" bars={codes(s.objectsByKind, (c) => vocab.label('objectKind', c))} />
          <BarChart title={t('dash.byStatus')} testId="chart-status" bars={codes(s.objectsByRegistrationStatus, (c) => vocab.label('registrationStatus', c))} />
          <BarChart
            title={t('dash.byOrganization')}
            testId="chart-organization"
            bars={s.objectsByOrganization.map((o) => ({
              key: o.organizationId,
              label: o.organization ? (lang === 'kk' ? o.organization.nameKk : o.organization.nameRu) : o.organizationId,
              value: o.count,
            }))}
          />
          <ColumnChart title={t('dash.perMonth')} testId="chart-months" bars={s.registrationsPerMonth.map((m) => ({ key: m.month, label: month(m.month), value: m.count }))} />
          <BarChart title={t('dash.servicesByGateway')} testId="chart-gateway" bars={codes(s.servicesByGateway, (c) => enumLabel(t, 'gateway', c))} />
          <BarChart title={t('dash.servicesByStatus')} testId="chart-service-status" bars={codes(s.servicesByStatus, (c) => enumLabel(t, 'serviceStatus', c))} />
          <BarChart
            title={t('dash.documentsByKind')}
            testId="chart-documents"
            bars={codes(s.documentsByKind, (c) => enumLabel(t, 'documentKind', c as DocumentKind))}
          />
        </div>
      )}
    </section>
  );
}
