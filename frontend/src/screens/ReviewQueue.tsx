import { useI18n } from '../i18n';
import { useVocab } from '../vocab';
import { OverdueUpdatesDocument, ReviewQueueDocument } from '../api/generated';
import { useQuery } from '../components/useQuery';
import { ErrorBox, Loading } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { Cell } from '../components/Cell';
import { DueBadge } from '../components/DueBadge';
import { enumLabel } from '../components/enumLabel';
import { Link } from '../router';

/** Integrator: open reviews, earliest due first (003 §8), and overdue updates (003 §9). */
export function ReviewQueue() {
  const { t, fmt, lang } = useI18n();
  const vocab = useVocab();
  const q = useQuery(ReviewQueueDocument, { first: 200 });
  const rows = q.data?.reviewQueue;
  return (
    <section>
      <PageTitle text={t('review.queueTitle')}>{t('review.queueTitle')}</PageTitle>
      <p className="lead">{t('review.queueLead')}</p>
      {q.error !== undefined && <ErrorBox error={q.error} onRetry={q.reload} />}
      {!rows && q.loading && <Loading />}
      {rows && (
        <div className="table-wrap" role="region" aria-label={t('common.scrollTable')} tabIndex={0}>
          <table className="table table-cards" data-testid="review-queue">
            <caption className="sr-only">{t('review.queueTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('review.colDue')}</th>
                <th scope="col">{t('objects.colName')}</th>
                <th scope="col">{t('object.organization')}</th>
                <th scope="col">{t('review.colKind')}</th>
                <th scope="col">{t('review.colSubmitted')}</th>
                <th scope="col">{t('review.colReviewer')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && (
                <tr>
                  <td colSpan={6} className="empty">
                    {t('review.queueEmpty')}
                  </td>
                </tr>
              )}
              {rows.map((r) => {
                const o = r.informatizationObject;
                return (
                  <tr key={r.id} className={r.overdue ? 'row-overdue' : undefined}>
                    <Cell label={t('review.colDue')}>
                      <DueBadge dueAt={r.dueAt} overdue={r.overdue} daysLeft={r.workingDaysLeft} />
                      <div className="sub nowrap">{fmt.dateTime(r.dueAt)}</div>
                    </Cell>
                    <Cell label={t('objects.colName')}>
                      {o ? (
                        <>
                          <Link to={`/review/${o.id}`}>{o.shortName}</Link>
                          <div className="sub">{lang === 'kk' ? o.nameKk : o.nameRu}</div>
                          <div className="sub">{vocab.label('objectKind', o.kind)}</div>
                        </>
                      ) : (
                        t('common.none')
                      )}
                    </Cell>
                    <Cell label={t('object.organization')}>{o?.organization ? (lang === 'kk' ? o.organization.nameKk : o.organization.nameRu) : t('common.none')}</Cell>
                    <Cell label={t('review.colKind')}>{enumLabel(t, 'submissionKind', r.kind)}</Cell>
                    <Cell label={t('review.colSubmitted')} className="nowrap">
                      {fmt.dateTime(r.submittedAt)}
                    </Cell>
                    <Cell label={t('review.colReviewer')}>{r.reviewer ? r.reviewer.fullName : <span className="muted">{t('review.notTaken')}</span>}</Cell>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <OverdueUpdates />
    </section>
  );
}

/** 003 §9: registered objects whose owners did not update in time. */
export function OverdueUpdates() {
  const { t, fmt, lang } = useI18n();
  const q = useQuery(OverdueUpdatesDocument, {});
  const rows = q.data?.overdueUpdates;
  return (
    <section aria-labelledby="overdue-h" className="panel section-gap">
      <h2 id="overdue-h">
        {t('review.overdueTitle')}
        {rows && <span className="count"> ({fmt.number(rows.length)})</span>}
      </h2>
      <p className="muted">{t('review.overdueLead')}</p>
      {q.error !== undefined && <ErrorBox error={q.error} onRetry={q.reload} />}
      {!rows && q.loading && <Loading />}
      {rows && rows.length === 0 && <p>{t('review.overdueEmpty')}</p>}
      {rows && rows.length > 0 && (
        <ul className="plain" data-testid="overdue-updates">
          {rows.map((o) => (
            <li key={o.id}>
              <Link to={`/objects/${o.id}`}>{o.shortName}</Link> — {lang === 'kk' ? o.nameKk : o.nameRu}
              {o.accountingCode && (
                <>
                  {' '}
                  · <code>{o.accountingCode}</code>
                </>
              )}
              {o.updateDueAt && (
                <>
                  {' '}
                  <DueBadge dueAt={o.updateDueAt} overdue={o.updateOverdue} />
                  <span className="sub"> {fmt.dateTime(o.updateDueAt)}</span>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
