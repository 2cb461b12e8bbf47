import { useEffect, useState } from 'react';
import { useI18n } from '../i18n';
import { useAuth } from '../auth';
import { gql } from '../api/client';
import { splitErrors } from '../api/errors';
import {
  ObjectWorkflowDocument,
  SubmitObjectDocument,
  type ReadinessFieldsFragment,
  type ReviewFieldsFragment,
} from '../api/generated';
import { useQuery } from '../components/useQuery';
import { ErrorBox, FormErrors, Loading, Notice } from '../components/Status';
import { DueBadge } from '../components/DueBadge';
import { enumLabel } from '../components/enumLabel';
import { groupRemarks, openRemarks, openReview } from '../components/remarks';
import { FIELD_LABELS } from './ObjectView';
import { Link } from '../router';

/** What the object lacks for submission (003 §7–§8), as a checklist. */
export function Readiness({ readiness }: { readiness: ReadinessFieldsFragment }) {
  const { t } = useI18n();
  return (
    <section className="panel" aria-labelledby="ready-h" data-testid="readiness">
      <h2 id="ready-h">{t('submit.readiness')}</h2>
      {readiness.ready ? (
        <p className="ok-line" data-testid="ready">
          <span aria-hidden="true">✔ </span>
          {t('submit.ready')}
        </p>
      ) : (
        <ul className="checklist">
          {readiness.missing.map((m, i) => (
            <li key={i} className="missing">
              <span aria-hidden="true">✗ </span>
              <strong>
                {m.field ? (FIELD_LABELS[m.field] ? t(FIELD_LABELS[m.field]!) : m.field) : m.documentKind ? enumLabel(t, 'documentKind', m.documentKind) : ''}
              </strong>
              {(m.field || m.documentKind) && ': '}
              {m.message}
            </li>
          ))}
        </ul>
      )}
      {!readiness.documentsChecked && <p className="muted">{t('submit.documentsNotChecked')}</p>}
    </section>
  );
}

/** Every submission and its decision. */
export function ReviewHistory({ reviews }: { reviews: readonly ReviewFieldsFragment[] }) {
  const { t, fmt } = useI18n();
  if (reviews.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="reviews-h">
      <h2 id="reviews-h">{t('submit.reviews')}</h2>
      <ol className="history" data-testid="review-history">
        {[...reviews].reverse().map((r) => (
          <li key={r.id} className="history-entry">
            <p className="history-head">
              <strong>{enumLabel(t, 'submissionKind', r.kind)}</strong> · {t('submit.submittedAt', { date: fmt.dateTime(r.submittedAt) })} ·{' '}
              {r.decision ? (
                <span className={`badge badge-${r.decision.toLowerCase()}`}>{enumLabel(t, 'reviewDecision', r.decision)}</span>
              ) : (
                <DueBadge dueAt={r.dueAt} overdue={r.overdue} daysLeft={r.workingDaysLeft} />
              )}
              {r.decidedAt && <> · {fmt.dateTime(r.decidedAt)}</>}
              {r.decidedBy && <> · {r.decidedBy.fullName}</>}
              {r.accountingCode && (
                <>
                  {' '}
                  · <code>{r.accountingCode}</code>
                </>
              )}
            </p>
            {r.remarks.length > 0 && <RemarkList remarks={r.remarks} />}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function RemarkList({ remarks }: { remarks: ReviewFieldsFragment['remarks'] }) {
  const { t } = useI18n();
  return (
    <ul className="remarks">
      {remarks.map((r, i) => (
        <li key={i} className="remark">
          <strong>{r.field ? (FIELD_LABELS[r.field] ? t(FIELD_LABELS[r.field]!) : r.field) : enumLabel(t, 'documentKind', r.documentKind)}</strong>: {r.text}
        </li>
      ))}
    </ul>
  );
}

/** A remark of the integrator shown next to a field. */
export function FieldRemark({ texts }: { texts: string[] | undefined }) {
  const { t } = useI18n();
  if (!texts?.length) return null;
  return (
    <div className="field-remark" data-testid="field-remark">
      <span className="remark-label">{t('submit.remarkLabel')}</span>
      {texts.map((x, i) => (
        <p key={i}>{x}</p>
      ))}
    </div>
  );
}

/** Owner's panel on the object page: status, remarks, readiness and the submit button. */
export function SubmissionPanel({ id, onSubmitted }: { id: string; onSubmitted?: () => void }) {
  const { t, fmt, lang } = useI18n();
  const { role } = useAuth();
  const q = useQuery(ObjectWorkflowDocument, { id });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  // The readiness messages come in the request language.
  const reload = q.reload;
  useEffect(() => reload(), [lang, reload]);

  if (q.error !== undefined && !q.data) return <ErrorBox error={q.error} onRetry={q.reload} />;
  if (!q.data) return <Loading />;
  const w = q.data.informatizationObject;
  if (!w) return null;
  const open = openReview(w.reviews);
  const remarks = openRemarks(w.reviews);
  const canSubmit = role === 'OWNER' && !open && (w.registrationStatus !== 'REGISTERED' || w.changeSet.length > 0);
  const errs = splitErrors(error, [], lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });

  async function submit() {
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await gql(SubmitObjectDocument, { id });
      setDone(true);
      q.reload();
      onSubmitted?.();
    } catch (e) {
      setError(e);
      q.reload();
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="submission" data-testid="submission">
      {remarks.length > 0 && (
        <section className="panel panel-warn" aria-labelledby="remarks-h" data-testid="open-remarks">
          <h2 id="remarks-h">{t('submit.remarksTitle')}</h2>
          <p>{t('submit.remarksLead')}</p>
          <RemarkList remarks={remarks} />
        </section>
      )}
      {w.updateRemarks.length > 0 && (
        <section className="panel panel-warn" aria-labelledby="upd-remarks-h">
          <h2 id="upd-remarks-h">{t('submit.updateRemarks')}</h2>
          {w.updateDueAt && (
            <p>
              <DueBadge dueAt={w.updateDueAt} overdue={w.updateOverdue} /> {t('due.until', { date: fmt.dateTime(w.updateDueAt) })}
            </p>
          )}
          <RemarkList remarks={w.updateRemarks} />
        </section>
      )}
      {open && (
        <Notice>
          {t('submit.underReview', { date: fmt.dateTime(open.dueAt) })}
          {open.reviewer && <> {t('review.takenBy', { name: open.reviewer.fullName, date: open.takenAt ? fmt.dateTime(open.takenAt) : '' })}</>}
        </Notice>
      )}
      {done && <Notice>{t('submit.submitted')}</Notice>}
      <FormErrors messages={errs.general} title={t('submit.refused')} />
      {!open && <Readiness readiness={q.data.submissionReadiness} />}
      {canSubmit && (
        <div className="form-actions">
          <button type="button" className="btn btn-primary" onClick={submit} disabled={busy || !q.data.submissionReadiness.ready} data-testid="submit-btn">
            {busy ? t('common.saving') : t('submit.submit')}
          </button>
          {remarks.length > 0 && (
            <Link to={`/objects/${id}/edit`} className="btn">
              {t('submit.fix')}
            </Link>
          )}
        </div>
      )}
      <ReviewHistory reviews={w.reviews} />
    </div>
  );
}

export { groupRemarks };
