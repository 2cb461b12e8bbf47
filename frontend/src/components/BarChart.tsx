import { useId } from 'react';
import { useI18n } from '../i18n';

export interface Bar {
  key: string;
  label: string;
  value: number;
}

/**
 * A horizontal bar chart drawn in SVG with each number written beside its
 * bar. It is a table underneath (caption, a row per bar), so screen readers
 * and keyboard users get the same numbers; the bars are decoration.
 */
export function BarChart({ title, bars, testId, empty }: { title: string; bars: readonly Bar[]; testId?: string; empty?: string }) {
  const { t, fmt } = useI18n();
  const id = useId();
  const max = Math.max(1, ...bars.map((b) => b.value));
  const total = bars.reduce((s, b) => s + b.value, 0);
  return (
    <figure className="chart panel" data-testid={testId} aria-labelledby={`${id}-t`}>
      <figcaption id={`${id}-t`} className="chart-title">
        {title}
      </figcaption>
      {bars.length === 0 ? (
        <p className="muted">{empty ?? t('dash.noData')}</p>
      ) : (
        <table className="chart-table">
          <caption className="sr-only">{title}</caption>
          <thead className="sr-only">
            <tr>
              <th scope="col">{t('dash.category')}</th>
              <th scope="col">{t('dash.share')}</th>
              <th scope="col">{t('dash.count')}</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((b) => (
              <tr key={b.key} data-code={b.key}>
                <th scope="row" className="chart-label">
                  {b.label}
                </th>
                <td className="chart-bar-cell">
                  <svg className="chart-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                    <rect x="0" y="0" width="100" height="10" className="chart-track" />
                    <rect x="0" y="0" width={(b.value / max) * 100} height="10" className="chart-fill" />
                  </svg>
                  <span className="sr-only">{total ? fmt.number(Math.round((b.value / total) * 100)) : 0}%</span>
                </td>
                <td className="chart-value" data-testid="chart-value">
                  {fmt.number(b.value)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </figure>
  );
}

/** Registrations per month as columns, the count above each column. */
export function ColumnChart({ title, bars, testId }: { title: string; bars: readonly Bar[]; testId?: string }) {
  const { t, fmt } = useI18n();
  const id = useId();
  const max = Math.max(1, ...bars.map((b) => b.value));
  const w = 100 / Math.max(1, bars.length);
  return (
    <figure className="chart panel" data-testid={testId} aria-labelledby={`${id}-t`}>
      <figcaption id={`${id}-t`} className="chart-title">
        {title}
      </figcaption>
      {bars.length === 0 ? (
        <p className="muted">{t('dash.noData')}</p>
      ) : (
        <>
          <svg className="chart-columns" viewBox="0 0 100 60" preserveAspectRatio="none" aria-hidden="true" focusable="false">
            {bars.map((b, i) => {
              const h = (b.value / max) * 50;
              return <rect key={b.key} x={i * w + w * 0.15} y={55 - h} width={w * 0.7} height={h} className="chart-fill" />;
            })}
            <line x1="0" y1="55" x2="100" y2="55" className="chart-axis" />
          </svg>
          <table className="chart-table chart-table-months">
            <caption className="sr-only">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{t('dash.month')}</th>
                <th scope="col">{t('dash.count')}</th>
              </tr>
            </thead>
            <tbody>
              {bars.map((b) => (
                <tr key={b.key} data-code={b.key}>
                  <th scope="row">{b.label}</th>
                  <td className="chart-value" data-testid="chart-value">
                    {fmt.number(b.value)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
}
