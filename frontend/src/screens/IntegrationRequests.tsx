import { useState } from 'react';
import { useI18n } from '../i18n';
import { useAuth } from '../auth';
import {
  IntegrationRequestsDocument,
  type IntegrationParty,
  type IntegrationRequestFilter,
  type IntegrationRequestOrder,
  type IntegrationRequestState,
} from '../api/generated';
import { useQuery } from '../components/useQuery';
import { ErrorBox, Loading } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { Pager } from '../components/Pager';
import { Cell } from '../components/Cell';
import { Link, navigate, useLocation } from '../router';
import { INTEGRATION_PARTIES, INTEGRATION_STATES, partyKey, stateKey } from './IntegrationRequest';

const PAGE = 50;

/** The URL's list filters → `IntegrationRequestFilter`. */
export function integrationFilter(q: URLSearchParams): IntegrationRequestFilter {
  const f: IntegrationRequestFilter = {};
  const state = q.get('state');
  if (state) f.states = [state as IntegrationRequestState];
  const awaiting = q.get('awaiting');
  if (awaiting) f.awaiting = [awaiting as IntegrationParty];
  const overdue = q.get('overdue');
  if (overdue === 'true' || overdue === 'false') f.overdue = overdue === 'true';
  const text = q.get('text')?.trim();
  if (text) f.text = text;
  return f;
}

/** The URL's sort (`sort=dueAt|filedAt`, `dir=asc|desc`) → the API order. */
export function integrationOrder(q: URLSearchParams): IntegrationRequestOrder {
  return { field: q.get('sort') === 'dueAt' ? 'DUE_AT' : 'FILED_AT', direction: q.get('dir') === 'asc' ? 'ASC' : 'DESC' };
}

/** Integration requests the caller may see: filters, sortable columns, pages. */
export function IntegrationRequests() {
  const { t, fmt } = useI18n();
  const { role } = useAuth();
  const { query } = useLocation();
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const filter = integrationFilter(query);
  const orderBy = integrationOrder(query);
  const q = useQuery(IntegrationRequestsDocument, { filter, orderBy, first: PAGE, after: cursors[cursors.length - 1] ?? null });
  const conn = q.data?.integrationRequests;
  const go = (next: URLSearchParams) => {
    setCursors([null]);
    const s = next.toString();
    navigate(`/integration-requests${s ? `?${s}` : ''}`, { replace: true });
  };
  const setOne = (k: string, v: string) => {
    const next = new URLSearchParams(query);
    if (v) next.set(k, v);
    else next.delete(k);
    go(next);
  };
  const sortBy = (field: 'filedAt' | 'dueAt') => {
    const next = new URLSearchParams(query);
    const current = query.get('sort') === 'dueAt' ? 'dueAt' : 'filedAt';
    const dir = current === field && orderBy.direction === 'DESC' ? 'asc' : current === field ? 'desc' : field === 'dueAt' ? 'asc' : 'desc';
    next.set('sort', field);
    next.set('dir', dir);
    go(next);
  };
  const sortState = (field: 'FILED_AT' | 'DUE_AT') => (orderBy.field === field ? (orderBy.direction === 'ASC' ? 'ascending' : 'descending') : 'none');
  const sortButton = (field: 'filedAt' | 'dueAt', label: string) => {
    const s = sortState(field === 'dueAt' ? 'DUE_AT' : 'FILED_AT');
    return (
      <button type="button" className="sort-btn" onClick={() => sortBy(field)} data-sort={field}>
        {label} <span aria-hidden="true">{s === 'ascending' ? '▲' : s === 'descending' ? '▼' : '↕'}</span>
      </button>
    );
  };

  return (
    <section data-testid="integration-requests">
      <div className="page-head">
        <PageTitle text={t('integration.listTitle')}>{t('integration.listTitle')}</PageTitle>
        {role === 'OWNER' && (
          <div className="actions">
            <Link to="/services" className="btn">
              {t('integration.listNew')}
            </Link>
          </div>
        )}
      </div>
      <form className="panel filters" aria-label={t('dash.filters')} onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="ir-f-state">{t('integration.step')}</label>
          <select id="ir-f-state" value={query.get('state') ?? ''} onChange={(e) => setOne('state', e.target.value)}>
            <option value="">{t('common.all')}</option>
            {INTEGRATION_STATES.map((s) => (
              <option key={s} value={s}>
                {t(stateKey(s))}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ir-f-awaiting">{t('integration.actor')}</label>
          <select id="ir-f-awaiting" value={query.get('awaiting') ?? ''} onChange={(e) => setOne('awaiting', e.target.value)}>
            <option value="">{t('common.all')}</option>
            {INTEGRATION_PARTIES.map((p) => (
              <option key={p} value={p}>
                {t(partyKey(p))}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ir-f-overdue">{t('integration.overdue')}</label>
          <select id="ir-f-overdue" value={query.get('overdue') ?? ''} onChange={(e) => setOne('overdue', e.target.value)}>
            <option value="">{t('common.all')}</option>
            <option value="true">{t('common.yes')}</option>
            <option value="false">{t('common.no')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="ir-f-text">{t('integration.listText')}</label>
          <input id="ir-f-text" type="search" defaultValue={query.get('text') ?? ''} onBlur={(e) => setOne('text', e.target.value.trim())} onKeyDown={(e) => e.key === 'Enter' && setOne('text', e.currentTarget.value.trim())} />
        </div>
      </form>
      {q.error !== undefined && <ErrorBox error={q.error} onRetry={q.reload} />}
      {!conn && q.loading && <Loading />}
      {conn && (
        <>
          <div className="table-wrap" role="region" aria-label={t('common.scrollTable')} tabIndex={0}>
            <table className={`table table-cards${q.loading ? ' stale' : ''}`} data-testid="ir-table">
              <caption className="sr-only">{t('integration.listTitle')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('integration.serviceId')}</th>
                  <th scope="col">{t('integration.consumerObject')}</th>
                  <th scope="col">{t('integration.step')}</th>
                  <th scope="col">{t('integration.actor')}</th>
                  <th scope="col" aria-sort={sortState('DUE_AT')}>
                    {sortButton('dueAt', t('integration.due'))}
                  </th>
                  <th scope="col" aria-sort={sortState('FILED_AT')}>
                    {sortButton('filedAt', t('integration.filedAt'))}
                  </th>
                </tr>
              </thead>
              <tbody>
                {conn.nodes.length === 0 && (
                  <tr>
                    <td colSpan={6} className="empty">
                      {t('integration.listEmpty')}
                    </td>
                  </tr>
                )}
                {conn.nodes.map((r) => (
                  <tr key={r.id}>
                    <Cell label={t('integration.serviceId')}>
                      <Link to={`/integration-requests/${r.id}`}>
                        <code>{r.serviceId}</code>
                      </Link>
                      <div className="sub">{r.ownerOrganizationName}</div>
                    </Cell>
                    <Cell label={t('integration.consumerObject')}>
                      {r.consumerShortName}
                      <div className="sub">{r.consumerOrganizationName}</div>
                    </Cell>
                    <Cell label={t('integration.step')}>{t(stateKey(r.state))}</Cell>
                    <Cell label={t('integration.actor')}>{r.awaiting ? t(partyKey(r.awaiting)) : t('common.none')}</Cell>
                    <Cell label={t('integration.due')}>
                      {r.dueAt ? fmt.dateTime(r.dueAt) : t('common.none')} {r.overdue && <span className="badge badge-overdue">{t('integration.overdue')}</span>}
                    </Cell>
                    <Cell label={t('integration.filedAt')}>{fmt.dateTime(r.createdAt)}</Cell>
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
    </section>
  );
}
