import { useState } from 'react';
import { useI18n, type MessageKey } from '../i18n';
import { useVocab } from '../vocab';
import { useAuth } from '../auth';
import { gql } from '../api/client';
import { splitErrors } from '../api/errors';
import {
  ObjectDocument,
  ObjectWorkflowDocument,
  RegisterObjectDocument,
  ReleaseReviewDocument,
  ReturnObjectDocument,
  TakeReviewDocument,
  type DocumentKind,
  type RemarkInput,
} from '../api/generated';
import { useQuery } from '../components/useQuery';
import { ReviewDocuments } from './ReviewDocuments';
import { ErrorBox, FormErrors, Loading, Notice } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { DueBadge } from '../components/DueBadge';
import { ENUM_VALUES, enumLabel } from '../components/enumLabel';
import { openReview, remarksInput, type RemarkRow } from '../components/remarks';
import { Readiness, ReviewHistory } from './Submission';
import { FIELD_LABELS } from './ObjectView';
import { OBJECT_FIELDS } from './ObjectEditor';
import { Link } from '../router';

/** Integrator: one submitted object — its data, take/release, register or return with remarks. */
export function Review({ id }: { id: string }) {
  const { t, fmt, lang } = useI18n();
  const vocab = useVocab();
  const { user } = useAuth();
  const obj = useQuery(ObjectDocument, { id });
  const wf = useQuery(ObjectWorkflowDocument, { id });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [code, setCode] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [rows, setRows] = useState<RemarkRow[]>([{ target: '', text: '' }]);
  const [invalidRows, setInvalidRows] = useState<number[]>([]);
  const errs = splitErrors(error, [], lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });

  const o = obj.data?.informatizationObject;
  const w = wf.data?.informatizationObject;
  if ((obj.error !== undefined && !obj.data) || (wf.error !== undefined && !wf.data)) return <ErrorBox error={obj.error ?? wf.error} onRetry={() => (obj.reload(), wf.reload())} />;
  if (!obj.data || !wf.data) return <Loading />;
  if (!o || !w)
    return (
      <section>
        <PageTitle text={t('common.notFound')}>{t('common.notFound')}</PageTitle>
        <p>{t('object.notFound')}</p>
      </section>
    );

  const open = openReview(w.reviews);
  const mine = open?.reviewer && user && open.reviewer.id === user.id;
  const reload = () => {
    obj.reload();
    wf.reload();
  };
  async function run(fn: () => Promise<void>) {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await fn();
      reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  const take = () => run(async () => void (await gql(TakeReviewDocument, { objectId: id })));
  const release = () => run(async () => void (await gql(ReleaseReviewDocument, { objectId: id })));
  const register = () =>
    run(async () => {
      const d = await gql(RegisterObjectDocument, { id });
      setCode(d.registerInformatizationObject.accountingCode);
    });
  const doReturn = () => {
    const { remarks, invalid } = remarksInput(rows);
    setInvalidRows(invalid);
    if (invalid.length || remarks.length === 0) {
      if (!invalid.length) setInvalidRows([0]);
      return;
    }
    return run(async () => {
      await gql(ReturnObjectDocument, { id, remarks: remarks as RemarkInput[] });
      setRows([{ target: '', text: '' }]);
      setNotice(t('review.returned'));
    });
  };

  const fieldTargets = OBJECT_FIELDS.map((f) => ({ value: `field:${f}`, label: FIELD_LABELS[f] ? t(FIELD_LABELS[f]!) : f }));
  const docTargets = ENUM_VALUES.documentKind.map((k, i) => ({ value: `doc:${k}`, label: `${i + 1}. ${enumLabel(t, 'documentKind', k as DocumentKind)}` }));
  const title = t('review.title', { name: o.shortName });

  return (
    <article>
      <p className="breadcrumb">
        <Link to="/review">← {t('nav.review')}</Link>
      </p>
      <div className="page-head">
        <PageTitle text={title}>{title}</PageTitle>
        <div className="actions">
          <Link to={`/objects/${o.id}/documents`} className="btn">
            {t('object.documents')}
          </Link>
          <Link to={`/objects/${o.id}`} className="btn">
            {t('review.openObject')}
          </Link>
        </div>
      </div>
      <p className="lead">{lang === 'kk' ? o.nameKk : o.nameRu}</p>
      {code && (
        <div className="alert alert-success" role="status" data-testid="registered-code">
          <p className="alert-title">{t('review.registered')}</p>
          <p>
            {t('object.accountingCode')}: <code className="code-big">{code}</code>
          </p>
        </div>
      )}
      {notice && <Notice>{notice}</Notice>}
      <FormErrors messages={errs.general} />

      <div className="two-col">
        <section className="panel" aria-labelledby="rv-data-h">
          <h2 id="rv-data-h">{t('object.details')}</h2>
          <dl className="details" data-testid="review-data">
            <dt>{t('object.status')}</dt>
            <dd>
              <span className={`badge badge-${w.registrationStatus.toLowerCase()}`}>{vocab.label('registrationStatus', w.registrationStatus)}</span>
              {w.accountingCode && <code>{w.accountingCode}</code>}
            </dd>
            <dt>{t('object.organization')}</dt>
            <dd>{o.organization ? (lang === 'kk' ? o.organization.nameKk : o.organization.nameRu) : t('common.none')}</dd>
            <dt>{t('object.kind')}</dt>
            <dd>{vocab.label('objectKind', o.kind)}</dd>
            <dt>{t('object.nameKk')}</dt>
            <dd lang="kk">{o.nameKk}</dd>
            <dt>{t('object.nameRu')}</dt>
            <dd lang="ru">{o.nameRu}</dd>
            <dt>{t('object.shortName')}</dt>
            <dd>{o.shortName}</dd>
            <dt>{t('object.purpose')}</dt>
            <dd className="pre">{o.purpose}</dd>
            <dt>{t('object.stage')}</dt>
            <dd>
              {vocab.label('lifeCycleStage', o.stage)} ({t('object.lifeCycleStarted', { date: fmt.date(o.stageStartedOn) })})
            </dd>
            <dt>{t('object.containsPersonalData')}</dt>
            <dd>{o.containsPersonalData ? t('common.yes') : t('common.no')}</dd>
            <dt>{t('object.exclusion')}</dt>
            <dd>{o.exclusion ? vocab.label('integrationExclusion', o.exclusion) : t('object.noExclusion')}</dd>
            <dt>{t('object.relations')}</dt>
            <dd>{o.relations.length === 0 ? t('object.relationNone') : o.relations.map((r) => `${vocab.label('relationKind', r.kind)}: ${r.target?.shortName ?? r.targetId}`).join('; ')}</dd>
          </dl>
          {w.changeSet.length > 0 && (
            <>
              <h3>{t('review.changeSet')}</h3>
              <ul className="plain">
                {w.changeSet.map((c) => (
                  <li key={c.field}>
                    <strong>{FIELD_LABELS[c.field] ? t(FIELD_LABELS[c.field]!) : c.field}</strong>: {c.from ?? t('common.none')} → {c.to ?? t('common.none')}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>

        <div>
          <section className="panel" aria-labelledby="rv-decision-h" data-testid="review-decision">
            <h2 id="rv-decision-h">{t('review.decision')}</h2>
            {!open && <p>{t('review.noOpen')}</p>}
            {open && (
              <>
                <p>
                  <DueBadge dueAt={open.dueAt} overdue={open.overdue} daysLeft={open.workingDaysLeft} /> {t('due.until', { date: fmt.dateTime(open.dueAt) })}
                </p>
                <p data-testid="reviewer">
                  {open.reviewer ? t('review.takenBy', { name: open.reviewer.fullName, date: open.takenAt ? fmt.dateTime(open.takenAt) : '' }) : t('review.notTaken')}
                </p>
                <div className="form-actions">
                  {!open.reviewer && (
                    <button type="button" className="btn btn-primary" onClick={take} disabled={busy}>
                      {t('review.take')}
                    </button>
                  )}
                  {mine && (
                    <button type="button" className="btn" onClick={release} disabled={busy}>
                      {t('review.release')}
                    </button>
                  )}
                </div>
                {mine && (
                  <>
                    <h3>{t('review.registerTitle')}</h3>
                    <p className="muted">{t('review.registerHint')}</p>
                    <button type="button" className="btn btn-primary" onClick={register} disabled={busy} data-testid="register-btn">
                      {t('review.register')}
                    </button>
                    <h3>{t('review.returnTitle')}</h3>
                    <p className="muted">{t('review.returnHint')}</p>
                    <div data-testid="remarks-form">
                      {rows.map((r, i) => {
                        const bad = invalidRows.includes(i);
                        return (
                          <fieldset key={i} className={`group remark-row${bad ? ' field-invalid' : ''}`}>
                            <legend>{t('review.remarkN', { n: i + 1 })}</legend>
                            <div className="field">
                              <label htmlFor={`rm-target-${i}`}>{t('review.remarkTarget')}</label>
                              <select
                                id={`rm-target-${i}`}
                                value={r.target}
                                aria-invalid={bad && !r.target ? true : undefined}
                                onChange={(e) => {
                                  setRows(rows.map((x, j) => (j === i ? { ...x, target: e.target.value } : x)));
                                  setInvalidRows((v) => v.filter((j) => j !== i));
                                }}
                              >
                                <option value="" disabled>
                                  —
                                </option>
                                <optgroup label={t('review.targetFields')}>
                                  {fieldTargets.map((o) => (
                                    <option key={o.value} value={o.value}>
                                      {o.label}
                                    </option>
                                  ))}
                                </optgroup>
                                <optgroup label={t('review.targetDocuments')}>
                                  {docTargets.map((o) => (
                                    <option key={o.value} value={o.value}>
                                      {o.label}
                                    </option>
                                  ))}
                                </optgroup>
                              </select>
                            </div>
                            <div className="field">
                              <label htmlFor={`rm-text-${i}`}>{t('review.remarkText')}</label>
                              <textarea
                                id={`rm-text-${i}`}
                                rows={2}
                                value={r.text}
                                aria-invalid={bad && !r.text.trim() ? true : undefined}
                                onChange={(e) => {
                                  setRows(rows.map((x, j) => (j === i ? { ...x, text: e.target.value } : x)));
                                  setInvalidRows((v) => v.filter((j) => j !== i));
                                }}
                              />
                            </div>
                            {bad && (
                              <p className="field-error" role="alert">
                                {t('review.remarkIncomplete')}
                              </p>
                            )}
                            {rows.length > 1 && (
                              <button type="button" className="btn btn-small" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                                {t('review.removeRemark', { n: i + 1 })}
                              </button>
                            )}
                          </fieldset>
                        );
                      })}
                      <div className="form-actions">
                        <button type="button" className="btn" onClick={() => setRows([...rows, { target: '', text: '' }])}>
                          + {t('review.addRemark')}
                        </button>
                        <button type="button" className="btn btn-danger" onClick={doReturn} disabled={busy} data-testid="return-btn">
                          {t('review.return')}
                        </button>
                      </div>
                    </div>
                  </>
                )}
              </>
            )}
          </section>
          {open && <Readiness readiness={wf.data.submissionReadiness} />}
        </div>
      </div>
      <ReviewDocuments objectId={o.id} />
      <ReviewHistory reviews={w.reviews} />
    </article>
  );
}

export type { MessageKey };
