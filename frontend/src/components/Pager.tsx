import { useI18n } from '../i18n';

/**
 * Cursor pagination: the API pages forward (`first/after`), so the pager
 * offers the next page and a way back to the first.
 */
export function Pager({
  page,
  total,
  hasNext,
  onNext,
  onFirst,
  busy,
}: {
  page: number;
  total: number | undefined;
  hasNext: boolean;
  onNext(): void;
  onFirst(): void;
  busy?: boolean;
}) {
  const { t, fmt } = useI18n();
  return (
    <nav className="pager" aria-label={t('common.pagination')}>
      <span className="pager-info" aria-live="polite">
        {t('common.page', { page: fmt.number(page) })}
        {total !== undefined && <> · {t('common.total', { count: fmt.number(total) })}</>}
      </span>
      <span className="pager-buttons">
        <button type="button" className="btn" onClick={onFirst} disabled={page <= 1 || busy}>
          {t('common.firstPage')}
        </button>
        <button type="button" className="btn" onClick={onNext} disabled={!hasNext || busy}>
          {t('common.nextPage')} →
        </button>
      </span>
    </nav>
  );
}
