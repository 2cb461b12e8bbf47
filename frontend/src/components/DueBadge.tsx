import { useI18n } from '../i18n';

/** Overdue, or the working days left until a deadline (when known). */
export function DueBadge({ dueAt, overdue, daysLeft }: { dueAt: string; overdue: boolean; daysLeft?: number }) {
  const { t, fmt } = useI18n();
  if (overdue)
    return (
      <span className="badge badge-overdue" title={fmt.dateTime(dueAt)} data-testid="overdue-badge">
        ⚠ {t('due.overdue')}
      </span>
    );
  if (daysLeft === undefined)
    return (
      <span className="badge badge-due" title={fmt.dateTime(dueAt)}>
        {t('due.until', { date: fmt.dateTime(dueAt) })}
      </span>
    );
  return (
    <span className={`badge ${daysLeft <= 1 ? 'badge-soon' : 'badge-due'}`} title={fmt.dateTime(dueAt)}>
      {daysLeft === 0 ? t('due.lastDay') : t('due.daysLeft', { n: fmt.number(daysLeft) })}
    </span>
  );
}
