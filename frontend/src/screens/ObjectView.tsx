import { useEffect, useState } from 'react';
import { useI18n, type MessageKey } from '../i18n';
import { useVocab, type VocabularyKey } from '../vocab';
import { useAuth } from '../auth';
import { gql } from '../api/client';
import { ObjectDocument, ObjectHistoryDocument, type ObjectHistoryQuery } from '../api/generated';
import { useQuery } from '../components/useQuery';
import { ErrorBox, Loading, Notice } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { Link, useLocation } from '../router';
import { SubmissionPanel } from './Submission';
import { ObjectServices } from './ObjectServices';

type HistoryEntry = NonNullable<ObjectHistoryQuery['informatizationObject']>['history']['nodes'][number];

const HISTORY_PAGE = 50;

/** Fields whose history values are vocabulary codes. */
const VOCAB_FIELDS: Record<string, VocabularyKey> = {
  kind: 'objectKind',
  stage: 'lifeCycleStage',
  exclusion: 'integrationExclusion',
  registrationStatus: 'registrationStatus',
};
const BOOL_FIELDS = new Set(['containsPersonalData', 'archived']);
const DATE_FIELDS = new Set(['stageStartedOn']);

export const FIELD_LABELS: Record<string, MessageKey> = {
  kind: 'field.kind',
  nameKk: 'field.nameKk',
  nameRu: 'field.nameRu',
  shortName: 'field.shortName',
  purpose: 'field.purpose',
  stage: 'field.stage',
  stageStartedOn: 'field.stageStartedOn',
  containsPersonalData: 'field.containsPersonalData',
  exclusion: 'field.exclusion',
  relations: 'field.relations',
  registrationStatus: 'field.registrationStatus',
  accountingCode: 'field.accountingCode',
  archived: 'field.archived',
};

/** An object: its data, its life cycle, the services it provides and its history. */
export function ObjectView({ id }: { id: string }) {
  const { t, fmt, lang } = useI18n();
  const vocab = useVocab();
  const { role } = useAuth();
  const { query } = useLocation();
  const saved = query.get('saved');
  const q = useQuery(ObjectDocument, { id });
  const o = q.data?.informatizationObject;

  if (q.error !== undefined && !q.data) return <ErrorBox error={q.error} onRetry={q.reload} />;
  if (!q.data) return <Loading />;
  if (!o)
    return (
      <section>
        <PageTitle text={t('common.notFound')}>{t('common.notFound')}</PageTitle>
        <p>{t('object.notFound')}</p>
      </section>
    );

  const name = lang === 'kk' ? o.nameKk : o.nameRu;
  const orgName = o.organization ? (lang === 'kk' ? o.organization.nameKk : o.organization.nameRu) : t('common.none');
  const canEdit = role === 'OWNER' && !o.archived;

  return (
    <article className="object-view">
      <p className="breadcrumb">
        <Link to="/objects">← {t('nav.objects')}</Link>
      </p>
      <div className="page-head">
        <PageTitle text={o.shortName}>{o.shortName}</PageTitle>
        <div className="actions">
          {canEdit && (
            <Link to={`/objects/${o.id}/edit`} className="btn btn-primary">
              {t('common.edit')}
            </Link>
          )}
          <Link to={`/objects/${o.id}/documents`} className="btn">
            {t('object.documents')}
          </Link>
          {canEdit && (
            <Link to={`/integration-requests/new?objectId=${o.id}`} className="btn" data-testid="object-request-integration">
              {t('integration.request')}
            </Link>
          )}
        </div>
      </div>
      <p className="lead">{name}</p>
      {saved && <Notice>{saved === 'created' ? t('object.created') : t('object.saved')}</Notice>}

      <div className="two-col">
        <section aria-labelledby="details-h" className="panel">
          <h2 id="details-h">{t('object.details')}</h2>
          <dl className="details">
            <dt>{t('object.status')}</dt>
            <dd>
              <span className={`badge badge-${o.registrationStatus.toLowerCase()}`}>{vocab.label('registrationStatus', o.registrationStatus)}</span>
              {o.archived && <span className="badge">{t('objects.archived')}</span>}
            </dd>
            <dt>{t('object.accountingCode')}</dt>
            <dd>{o.accountingCode ? <code>{o.accountingCode}</code> : <span className="muted">{t('objects.noCode')}</span>}</dd>
            <dt>{t('object.kind')}</dt>
            <dd>{vocab.label('objectKind', o.kind)}</dd>
            <dt>{t('object.stage')}</dt>
            <dd>
              {vocab.label('lifeCycleStage', o.stage)} ({t('object.lifeCycleStarted', { date: fmt.date(o.stageStartedOn) })})
            </dd>
            <dt>{t('object.nameKk')}</dt>
            <dd lang="kk">{o.nameKk}</dd>
            <dt>{t('object.nameRu')}</dt>
            <dd lang="ru">{o.nameRu}</dd>
            <dt>{t('object.purpose')}</dt>
            <dd className="pre">{o.purpose}</dd>
            <dt>{t('object.containsPersonalData')}</dt>
            <dd>{o.containsPersonalData ? t('common.yes') : t('common.no')}</dd>
            <dt>{t('object.exclusion')}</dt>
            <dd>{o.exclusion ? vocab.label('integrationExclusion', o.exclusion) : t('object.noExclusion')}</dd>
            <dt>{t('object.relations')}</dt>
            <dd>
              {o.relations.length === 0 ? (
                t('object.relationNone')
              ) : (
                <ul className="plain">
                  {o.relations.map((r) => (
                    <li key={`${r.kind}-${r.targetId}`}>
                      {vocab.label('relationKind', r.kind)}:{' '}
                      {r.target ? <Link to={`/objects/${r.targetId}`}>{r.target.shortName}</Link> : t('object.missingTarget', { id: r.targetId })}
                    </li>
                  ))}
                </ul>
              )}
            </dd>
            <dt>{t('object.organization')}</dt>
            <dd>{orgName}</dd>
            <dt>{t('object.createdBy')}</dt>
            <dd>
              {o.createdBy?.fullName ?? t('common.none')}, {fmt.dateTime(o.createdAt)}
            </dd>
            <dt>{t('object.updatedAt')}</dt>
            <dd>
              {fmt.dateTime(o.updatedAt)} · {t('object.version')} {o.version}
            </dd>
          </dl>
        </section>

        <section aria-labelledby="lc-h" className="panel">
          <h2 id="lc-h">{t('object.lifeCycle')}</h2>
          <ol className="timeline" data-testid="life-cycle">
            {o.lifeCycle.map((s, i) => (
              <li key={`${s.stage}-${s.recordedAt}`} className={i === o.lifeCycle.length - 1 ? 'current' : undefined}>
                <strong>{vocab.label('lifeCycleStage', s.stage)}</strong>
                <div className="sub">
                  {t('object.lifeCycleStarted', { date: fmt.date(s.startedOn) })} · {t('object.recordedAt', { date: fmt.dateTime(s.recordedAt) })}
                </div>
              </li>
            ))}
          </ol>
        </section>
      </div>

      <SubmissionPanel id={o.id} onSubmitted={q.reload} />
      <ObjectServices services={o.services} />
      <History id={o.id} version={o.version} />
    </article>
  );
}

function History({ id, version }: { id: string; version: number }) {
  const { t, fmt } = useI18n();
  const vocab = useVocab();
  const [pages, setPages] = useState<HistoryEntry[][]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);

  async function load(after: string | null) {
    setLoading(true);
    setError(undefined);
    try {
      const d = await gql(ObjectHistoryDocument, { id, first: HISTORY_PAGE, after });
      const h = d.informatizationObject?.history;
      if (h) {
        setPages((p) => (after ? [...p, h.nodes] : [h.nodes]));
        setNext(h.pageInfo.hasNextPage ? h.pageInfo.endCursor : null);
        setTotal(h.totalCount);
      }
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }

  useEffect(() => {
    void load(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, version]);

  const value = (field: string, v: string | null | undefined) => {
    if (v === null || v === undefined || v === '') return t('common.none');
    const vk = VOCAB_FIELDS[field];
    if (vk && vocab.has(vk, v)) return vocab.label(vk, v);
    if (BOOL_FIELDS.has(field)) return v === 'true' ? t('common.yes') : v === 'false' ? t('common.no') : v;
    if (DATE_FIELDS.has(field)) return fmt.date(v);
    return v;
  };
  const entries = pages.flat();

  return (
    <section aria-labelledby="hist-h" className="panel">
      <h2 id="hist-h">
        {t('object.history')}
        {total !== null && <span className="count"> ({fmt.number(total)})</span>}
      </h2>
      {error !== undefined && <ErrorBox error={error} onRetry={() => void load(null)} />}
      {loading && entries.length === 0 && <Loading />}
      {!loading && entries.length === 0 && error === undefined && <p>{t('object.historyEmpty')}</p>}
      <ol className="history" data-testid="history">
        {entries.map((h) => (
          <li key={h.version} className="history-entry">
            <p className="history-head">
              <strong>{t('object.historyVersion', { version: h.version })}</strong> · {t(`action.${h.action}` as MessageKey)} ·{' '}
              <time dateTime={h.changedAt}>{fmt.dateTime(h.changedAt)}</time>
              {h.actor && (
                <>
                  {' '}
                  · {t('object.historyBy', { name: h.actor.fullName })} ({vocab.label('role', h.actor.role)})
                </>
              )}
            </p>
            {h.changes.length > 0 && (
              <div className="table-wrap">
                <table className="table table-compact table-history">
                  <colgroup>
                    <col className="c-field" />
                    <col />
                    <col />
                  </colgroup>
                  <thead>
                    <tr>
                      <th scope="col">{t('object.historyField')}</th>
                      <th scope="col">{t('object.historyFrom')}</th>
                      <th scope="col">{t('object.historyTo')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {h.changes.map((c) => (
                      <tr key={c.field}>
                        <th scope="row">{FIELD_LABELS[c.field] ? t(FIELD_LABELS[c.field]!) : c.field}</th>
                        <td className="from">{value(c.field, c.from)}</td>
                        <td className="to">{value(c.field, c.to)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </li>
        ))}
      </ol>
      {next && (
        <button type="button" className="btn" onClick={() => void load(next)} disabled={loading}>
          {loading ? t('common.loading') : t('object.historyMore')}
        </button>
      )}
    </section>
  );
}
