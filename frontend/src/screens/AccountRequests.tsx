import { useState } from 'react';
import { useI18n } from '../i18n';
import { useVocab } from '../vocab';
import { gql } from '../api/client';
import { splitErrors } from '../api/errors';
import {
  AccountRequestsDocument,
  ApproveAccountRequestDocument,
  RejectAccountRequestDocument,
  type AccountRequestFieldsFragment,
  type AccountRequestStatus,
} from '../api/generated';
import { useQuery } from '../components/useQuery';
import { ErrorBox, FormErrors, Loading, Notice } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { Pager } from '../components/Pager';
import { enumLabel } from '../components/enumLabel';
import { DueBadge } from '../components/DueBadge';

const PAGE = 50;

/** Integrator/admin: the account applications (003 §6, 2 working days). */
export function AccountRequests() {
  const { t } = useI18n();
  const [status, setStatus] = useState<'PENDING' | 'ALL'>('PENDING');
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [notice, setNotice] = useState<string | null>(null);
  const statuses: AccountRequestStatus[] | null = status === 'ALL' ? null : ['PENDING'];
  const q = useQuery(AccountRequestsDocument, { statuses, first: PAGE, after: cursors[cursors.length - 1] ?? null });
  const conn = q.data?.accountRequests;

  return (
    <section>
      <PageTitle text={t('requests.title')}>{t('requests.title')}</PageTitle>
      <p className="lead">{t('requests.lead')}</p>
      <div className="filters" role="group" aria-label={t('objects.filters')}>
        <div className="field">
          <label htmlFor="f-req-status">{t('objects.filterStatus')}</label>
          <select
            id="f-req-status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as 'PENDING' | 'ALL');
              setCursors([null]);
            }}
          >
            <option value="PENDING">{enumLabel(t, 'accountRequestStatus', 'PENDING')}</option>
            <option value="ALL">{t('common.all')}</option>
          </select>
        </div>
      </div>
      {notice && <Notice>{notice}</Notice>}
      {q.error !== undefined && <ErrorBox error={q.error} onRetry={q.reload} />}
      {!conn && q.loading && <Loading />}
      {conn && (
        <>
          {conn.nodes.length === 0 && <p className="empty-note">{t('requests.empty')}</p>}
          <ul className="cards-list" data-testid="account-requests">
            {conn.nodes.map((r) => (
              <RequestCard
                key={r.id}
                r={r}
                onDone={(msg) => {
                  setNotice(msg);
                  q.reload();
                }}
              />
            ))}
          </ul>
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

function RequestCard({ r, onDone }: { r: AccountRequestFieldsFragment; onDone(msg: string): void }) {
  const { t, fmt, lang } = useI18n();
  const vocab = useVocab();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [reasonMissing, setReasonMissing] = useState(false);
  const errs = splitErrors(error, ['reason'], lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });
  const headId = `req-${r.id}-h`;

  async function approve() {
    setBusy(true);
    setError(null);
    try {
      await gql(ApproveAccountRequestDocument, { id: r.id });
      onDone(t('requests.approved', { email: r.email }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  async function reject() {
    if (!reason.trim()) {
      setReasonMissing(true);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await gql(RejectAccountRequestDocument, { id: r.id, reason: reason.trim() });
      onDone(t('requests.rejected', { email: r.email }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  const reasonErr = reasonMissing ? t('common.fieldRequired') : errs.byField.reason;

  return (
    <li className="panel request-card" aria-labelledby={headId} data-testid="account-request" data-email={r.email}>
      <div className="card-head">
        <h2 id={headId}>{lang === 'kk' ? r.organizationNameKk : r.organizationNameRu}</h2>
        <span className={`badge badge-${r.status.toLowerCase()}`}>{enumLabel(t, 'accountRequestStatus', r.status)}</span>
        {r.status === 'PENDING' && <DueBadge dueAt={r.dueAt} overdue={r.overdue} />}
      </div>
      <dl className="details">
        <dt>{t('orgs.bin')}</dt>
        <dd>
          <code>{r.bin}</code> · {vocab.label('organizationKind', r.organizationKind)}
        </dd>
        <dt>{t('requests.person')}</dt>
        <dd>
          {r.fullName}, {r.position}
          <div className="sub">
            <a href={`mailto:${r.email}`}>{r.email}</a> · {r.phone}
          </div>
        </dd>
        <dt>{t('accountRequest.basis')}</dt>
        <dd className="pre">{r.basis}</dd>
        <dt>{t('requests.received')}</dt>
        <dd>{fmt.dateTime(r.receivedAt)}</dd>
        <dt>{t('requests.due')}</dt>
        <dd>{fmt.dateTime(r.dueAt)}</dd>
        {r.decidedAt && (
          <>
            <dt>{t('requests.decided')}</dt>
            <dd>
              {fmt.dateTime(r.decidedAt)}
              {r.decidedBy && <> · {r.decidedBy.fullName}</>}
              {r.reason && <div className="pre">{r.reason}</div>}
            </dd>
          </>
        )}
      </dl>
      <FormErrors messages={errs.general} />
      {r.status === 'PENDING' && (
        <div className="card-actions">
          {!rejecting ? (
            <>
              <button type="button" className="btn btn-primary" onClick={approve} disabled={busy}>
                {t('requests.approve')}
              </button>
              <button type="button" className="btn" onClick={() => setRejecting(true)} disabled={busy}>
                {t('requests.reject')}
              </button>
            </>
          ) : (
            <div className="reject-box">
              <div className={`field${reasonErr ? ' field-invalid' : ''}`} data-field="reason">
                <label htmlFor={`reason-${r.id}`}>
                  {t('requests.reason')} <span className="req">({t('common.required')})</span>
                </label>
                <textarea
                  id={`reason-${r.id}`}
                  rows={2}
                  value={reason}
                  aria-invalid={reasonErr ? true : undefined}
                  aria-describedby={reasonErr ? `reason-${r.id}-err` : undefined}
                  onChange={(e) => {
                    setReason(e.target.value);
                    setReasonMissing(false);
                  }}
                />
                {reasonErr && (
                  <p className="field-error" id={`reason-${r.id}-err`} role="alert">
                    {reasonErr}
                  </p>
                )}
              </div>
              <div className="form-actions">
                <button type="button" className="btn btn-danger" onClick={reject} disabled={busy}>
                  {t('requests.confirmReject')}
                </button>
                <button type="button" className="btn" onClick={() => setRejecting(false)} disabled={busy}>
                  {t('common.cancel')}
                </button>
              </div>
            </div>
          )}
        </div>
      )}
    </li>
  );
}
