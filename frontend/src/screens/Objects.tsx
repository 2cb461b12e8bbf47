import { useMemo, useState } from 'react';
import { useI18n } from '../i18n';
import { useVocab } from '../vocab';
import { useAuth } from '../auth';
import { Link, navigate, useLocation } from '../router';
import { useQuery } from '../components/useQuery';
import { ErrorBox, Loading } from '../components/Status';
import { Pager } from '../components/Pager';
import { PageTitle } from '../components/PageTitle';
import { Cell } from '../components/Cell';
import {
  ObjectsDocument,
  type InformatizationObjectFilter,
  type LifeCycleStage,
  type ObjectKind,
  type RegistrationStatus,
} from '../api/generated';

export const PAGE_SIZE = 50;

/** Filters live in the URL, so they survive reloads and the back button. */
function readFilters(q: URLSearchParams) {
  return {
    kind: q.get('kind') ?? '',
    stage: q.get('stage') ?? '',
    status: q.get('status') ?? '',
    archived: q.get('archived') === '1',
  };
}
type Filters = ReturnType<typeof readFilters>;

function toQuery(f: Filters): string {
  const q = new URLSearchParams();
  if (f.kind) q.set('kind', f.kind);
  if (f.stage) q.set('stage', f.stage);
  if (f.status) q.set('status', f.status);
  if (f.archived) q.set('archived', '1');
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function Objects() {
  const { query } = useLocation();
  const filters = readFilters(query);
  const key = toQuery(filters);
  // The page state belongs to one set of filters: a new set starts at page 1.
  return <ObjectsTable key={key} filters={filters} />;
}

function ObjectsTable({ filters }: { filters: Filters }) {
  const { t, fmt, lang } = useI18n();
  const vocab = useVocab();
  const { role } = useAuth();
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const after = cursors[cursors.length - 1] ?? null;

  const filter = useMemo<InformatizationObjectFilter>(
    () => ({
      ...(filters.kind ? { kinds: [filters.kind as ObjectKind] } : {}),
      ...(filters.stage ? { stages: [filters.stage as LifeCycleStage] } : {}),
      ...(filters.status ? { registrationStatuses: [filters.status as RegistrationStatus] } : {}),
      ...(filters.archived ? { includeArchived: true } : {}),
    }),
    [filters.kind, filters.stage, filters.status, filters.archived],
  );
  const q = useQuery(ObjectsDocument, { filter, first: PAGE_SIZE, after });
  const conn = q.data?.informatizationObjects;

  const setFilter = (patch: Partial<Filters>) => navigate(`/objects${toQuery({ ...filters, ...patch })}`, { replace: true });
  const showOrg = role !== 'OWNER';

  const select = (id: string, label: string, value: string, vocabKey: 'objectKind' | 'lifeCycleStage' | 'registrationStatus', onChange: (v: string) => void) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('common.all')}</option>
        {vocab.options(vocabKey).map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <section>
      <div className="page-head">
        <PageTitle text={t('objects.title')}>{t('objects.title')}</PageTitle>
        {role === 'OWNER' && (
          <Link to="/objects/new" className="btn btn-primary">
            + {t('objects.new')}
          </Link>
        )}
      </div>

      <form className="filters" aria-label={t('objects.filters')} onSubmit={(e) => e.preventDefault()}>
        {select('f-kind', t('objects.filterKind'), filters.kind, 'objectKind', (v) => setFilter({ kind: v }))}
        {select('f-stage', t('objects.filterStage'), filters.stage, 'lifeCycleStage', (v) => setFilter({ stage: v }))}
        {select('f-status', t('objects.filterStatus'), filters.status, 'registrationStatus', (v) => setFilter({ status: v }))}
        <div className="field field-inline">
          <div className="inline-row">
            <input id="f-archived" type="checkbox" checked={filters.archived} onChange={(e) => setFilter({ archived: e.target.checked })} />
            <label htmlFor="f-archived">{t('objects.includeArchived')}</label>
          </div>
        </div>
        <button
          type="button"
          className="btn btn-link"
          onClick={() => navigate('/objects', { replace: true })}
          disabled={!filters.kind && !filters.stage && !filters.status && !filters.archived}
        >
          {t('objects.resetFilters')}
        </button>
      </form>

      {q.error !== undefined && <ErrorBox error={q.error} onRetry={q.reload} />}
      {!conn && q.loading && <Loading />}
      {conn && (
        <div aria-busy={q.loading} className={q.loading ? 'stale' : undefined}>
          <div className="table-wrap" role="region" aria-label={t('common.scrollTable')} tabIndex={0}>
            <table className="table table-cards" data-testid="objects-table">
              <caption className="sr-only">{t('objects.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('objects.colName')}</th>
                  <th scope="col">{t('objects.colKind')}</th>
                  <th scope="col">{t('objects.colStage')}</th>
                  <th scope="col">{t('objects.colStatus')}</th>
                  <th scope="col">{t('objects.colCode')}</th>
                  {showOrg && <th scope="col">{t('object.organization')}</th>}
                  <th scope="col">{t('objects.colUpdated')}</th>
                </tr>
              </thead>
              <tbody>
                {conn.nodes.length === 0 && (
                  <tr>
                    <td colSpan={showOrg ? 7 : 6} className="empty">
                      {t('objects.empty')}
                    </td>
                  </tr>
                )}
                {conn.nodes.map((o) => (
                  <tr key={o.id}>
                    <Cell>
                      <Link to={`/objects/${o.id}`} className="strong">
                        {o.shortName}
                      </Link>
                      <div className="sub">{lang === 'kk' ? o.nameKk : o.nameRu}</div>
                      {o.archived && <span className="badge">{t('objects.archived')}</span>}
                    </Cell>
                    <Cell label={t('objects.colKind')}>{vocab.label('objectKind', o.kind)}</Cell>
                    <Cell label={t('objects.colStage')}>
                      {vocab.label('lifeCycleStage', o.stage)}
                      <div className="sub">{t('object.lifeCycleStarted', { date: fmt.date(o.stageStartedOn) })}</div>
                    </Cell>
                    <Cell label={t('objects.colStatus')}>
                      <span className={`badge badge-${o.registrationStatus.toLowerCase()}`}>
                        {vocab.label('registrationStatus', o.registrationStatus)}
                      </span>
                    </Cell>
                    <Cell label={t('objects.colCode')}>
                      {o.accountingCode ? <code>{o.accountingCode}</code> : <span className="muted">{t('objects.noCode')}</span>}
                    </Cell>
                    {showOrg && (
                      <Cell label={t('object.organization')}>
                        {o.organization ? (lang === 'kk' ? o.organization.nameKk : o.organization.nameRu) : '—'}
                      </Cell>
                    )}
                    <Cell label={t('objects.colUpdated')} className="nowrap">
                      {fmt.dateTime(o.updatedAt)}
                    </Cell>
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
        </div>
      )}
    </section>
  );
}
