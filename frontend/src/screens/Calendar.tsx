import { useRef, useState, type FormEvent } from 'react';
import { useI18n, type Lang, type MessageKey } from '../i18n';
import { gql } from '../api/client';
import { splitErrors } from '../api/errors';
import {
  CalendarDocument,
  RemoveCalendarEntryDocument,
  SetCalendarEntryDocument,
  type CalendarDayFieldsFragment,
  type CalendarEntryKindInput,
} from '../api/generated';
import { Field } from '../components/Field';
import { ErrorBox, FormErrors, Loading, Notice } from '../components/Status';
import { PageTitle } from '../components/PageTitle';
import { useQuery } from '../components/useQuery';
import { ENUM_VALUES, enumLabel } from '../components/enumLabel';
import { missingFields, useFocusFirstError } from '../components/formErrors';

export const CALENDAR_FIELDS = ['date', 'kind', 'nameKk', 'nameRu', 'nameEn', 'basis'] as const;
export type CalendarForm = Record<(typeof CALENDAR_FIELDS)[number], string>;
const EMPTY: CalendarForm = { date: '', kind: 'HOLIDAY', nameKk: '', nameRu: '', nameEn: '', basis: '' };

/** A listed day → the entry that produced it; null for derived substitute days. */
export function entryOf(d: CalendarDayFieldsFragment): CalendarForm | null {
  let kind: CalendarEntryKindInput;
  switch (d.kind) {
    case 'PUBLIC_HOLIDAY':
      kind = d.religious ? 'RELIGIOUS_HOLIDAY' : 'HOLIDAY';
      break;
    case 'TRANSFERRED_DAY_OFF':
      kind = 'TRANSFERRED_DAY_OFF';
      break;
    case 'WORKING_WEEKEND':
      kind = 'WORKING_WEEKEND';
      break;
    default:
      return null;
  }
  return { date: d.date, kind, nameKk: d.nameKk, nameRu: d.nameRu, nameEn: d.nameEn, basis: d.basis };
}

export function dayName(d: { nameKk: string; nameRu: string; nameEn: string }, lang: Lang): string {
  if (lang === 'kk') return d.nameKk;
  if (lang === 'en' && d.nameEn) return d.nameEn;
  return d.nameRu;
}

function isoDate(y: number, m: number, d: number): string {
  return `${y}-${String(m + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Admin: the working-day calendar (holidays, transfers, working weekends) that every deadline uses. */
export function Calendar() {
  const { t, lang, fmt } = useI18n();
  const thisYear = new Date().getFullYear();
  const [year, setYear] = useState(thisYear);
  const q = useQuery(CalendarDocument, { year });
  const [days, setDays] = useState<CalendarDayFieldsFragment[] | null>(null);
  const [form, setForm] = useState<CalendarForm>(EMPTY);
  const [editing, setEditing] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(formRef, attempt);
  const list = (days && days.every((d) => d.date.startsWith(String(year))) ? days : null) ?? q.data?.calendar;
  const errs = splitErrors(error, CALENDAR_FIELDS, lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });
  const byField: Record<string, string | undefined> = { ...errs.byField, ...missing };
  const set = (k: keyof CalendarForm, v: string) => {
    setForm((f) => ({ ...f, [k]: v }));
    setMissing(({ [k]: _, ...rest }) => rest);
  };
  const byDate = new Map((list ?? []).map((d) => [d.date, d]));

  async function save(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setNotice(null);
    const miss = missingFields(form, ['date', 'kind', 'nameKk', 'nameRu', 'basis'], t('common.fieldRequired'));
    setMissing(miss);
    if (Object.keys(miss).length) {
      setAttempt((a) => a + 1);
      return;
    }
    setBusy(true);
    try {
      const d = await gql(SetCalendarEntryDocument, { input: { ...form, kind: form.kind as CalendarEntryKindInput } });
      setDays(d.setCalendarEntry.days);
      setYear(Number(form.date.slice(0, 4)));
      setNotice(t('calendar.saved', { date: fmt.date(form.date) }));
      setForm(EMPTY);
      setEditing(null);
    } catch (err) {
      setError(err);
      setAttempt((a) => a + 1);
    } finally {
      setBusy(false);
    }
  }

  async function remove(date: string) {
    if (!window.confirm(t('calendar.confirmRemove', { date: fmt.date(date) }))) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const d = await gql(RemoveCalendarEntryDocument, { date });
      setDays(d.removeCalendarEntry.days);
      setNotice(t('calendar.removed', { date: fmt.date(date) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const months = Array.from({ length: 12 }, (_, m) => m);

  return (
    <section>
      <PageTitle text={t('calendar.title')}>{t('calendar.title')}</PageTitle>
      <p className="lead">{t('calendar.lead')}</p>
      <div className="filters">
        <button type="button" className="btn" onClick={() => setYear((y) => y - 1)} aria-label={t('calendar.prevYear')}>
          ←
        </button>
        <div className="field">
          <label htmlFor="cal-year">{t('calendar.year')}</label>
          <input id="cal-year" type="number" min={2000} max={2100} value={year} onChange={(e) => e.target.value && setYear(Number(e.target.value))} />
        </div>
        <button type="button" className="btn" onClick={() => setYear((y) => y + 1)} aria-label={t('calendar.nextYear')}>
          →
        </button>
      </div>
      {notice && <Notice>{notice}</Notice>}
      {q.error !== undefined && <ErrorBox error={q.error} onRetry={q.reload} />}
      {!list && q.loading && <Loading />}
      <div className="admin-grid">
        <div className="panel">
          <form ref={formRef} onSubmit={save} noValidate className="form" aria-labelledby="cal-form-h" aria-busy={busy} data-testid="calendar-form">
            <h2 id="cal-form-h">{editing ? t('calendar.editTitle', { date: fmt.date(editing) }) : t('calendar.addTitle')}</h2>
            <FormErrors messages={errs.general} />
            <Field name="date" label={t('calendar.date')} error={byField.date} required>
              {(p) => <input {...p} type="date" value={form.date} onChange={(e) => set('date', e.target.value)} readOnly={!!editing} />}
            </Field>
            <Field name="kind" label={t('calendar.kind')} error={byField.kind} required>
              {(p) => (
                <select {...p} value={form.kind} onChange={(e) => set('kind', e.target.value)}>
                  {ENUM_VALUES.calendarEntryKind.map((k) => (
                    <option key={k} value={k}>
                      {enumLabel(t, 'calendarEntryKind', k)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field name="nameKk" label={t('calendar.nameKk')} error={byField.nameKk} required>
              {(p) => <input {...p} type="text" lang="kk" value={form.nameKk} onChange={(e) => set('nameKk', e.target.value)} />}
            </Field>
            <Field name="nameRu" label={t('calendar.nameRu')} error={byField.nameRu} required>
              {(p) => <input {...p} type="text" lang="ru" value={form.nameRu} onChange={(e) => set('nameRu', e.target.value)} />}
            </Field>
            <Field name="nameEn" label={t('calendar.nameEn')} error={byField.nameEn}>
              {(p) => <input {...p} type="text" lang="en" value={form.nameEn} onChange={(e) => set('nameEn', e.target.value)} />}
            </Field>
            <Field name="basis" label={t('calendar.basis')} hint={t('calendar.basisHint')} error={byField.basis} required>
              {(p) => <input {...p} type="text" value={form.basis} onChange={(e) => set('basis', e.target.value)} />}
            </Field>
            <div className="form-actions">
              <button type="submit" className="btn btn-primary" disabled={busy}>
                {busy ? t('common.saving') : t('common.save')}
              </button>
              {editing && (
                <button
                  type="button"
                  className="btn"
                  onClick={() => {
                    setEditing(null);
                    setForm(EMPTY);
                    setError(null);
                  }}
                >
                  {t('common.cancel')}
                </button>
              )}
            </div>
          </form>
        </div>
        <div>
          {list && (
            <>
              <div className="year-grid" aria-hidden="true" data-testid="year-grid">
                {months.map((m) => {
                  const first = new Date(Date.UTC(year, m, 1));
                  const n = new Date(Date.UTC(year, m + 1, 0)).getUTCDate();
                  const offset = (first.getUTCDay() + 6) % 7;
                  return (
                    <div className="month" key={m}>
                      <div className="month-name">{t(`month.${m + 1}` as MessageKey)}</div>
                      <div className="month-days">
                        {Array.from({ length: offset }, (_, i) => (
                          <span key={`e${i}`} />
                        ))}
                        {Array.from({ length: n }, (_, i) => {
                          const date = isoDate(year, m, i + 1);
                          const dow = (offset + i) % 7;
                          const d = byDate.get(date);
                          const cls = d ? `day day-${d.kind.toLowerCase()}` : dow >= 5 ? 'day day-weekend' : 'day';
                          return (
                            <span key={date} className={cls} title={d ? dayName(d, lang) : undefined}>
                              {i + 1}
                            </span>
                          );
                        })}
                      </div>
                    </div>
                  );
                })}
              </div>
              <p className="legend">
                <span className="day day-public_holiday">1</span> {enumLabel(t, 'calendarDayKind', 'PUBLIC_HOLIDAY')}{' '}
                <span className="day day-transferred_day_off">1</span> {enumLabel(t, 'calendarDayKind', 'TRANSFERRED_DAY_OFF')}{' '}
                <span className="day day-substitute_day_off">1</span> {enumLabel(t, 'calendarDayKind', 'SUBSTITUTE_DAY_OFF')}{' '}
                <span className="day day-working_weekend">1</span> {enumLabel(t, 'calendarDayKind', 'WORKING_WEEKEND')}{' '}
                <span className="day day-weekend">1</span> {t('calendar.weekend')}
              </p>
              <div className="table-wrap" role="region" aria-label={t('common.scrollTable')} tabIndex={0}>
                <table className="table table-cards" data-testid="calendar-table">
                  <caption>{t('calendar.entries', { year })}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('calendar.date')}</th>
                      <th scope="col">{t('calendar.kind')}</th>
                      <th scope="col">{t('calendar.reason')}</th>
                      <th scope="col">{t('calendar.basis')}</th>
                      <th scope="col">
                        <span className="sr-only">{t('calendar.actions')}</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.length === 0 && (
                      <tr>
                        <td colSpan={5} className="empty">
                          {t('calendar.empty')}
                        </td>
                      </tr>
                    )}
                    {list.map((d) => {
                      const entry = entryOf(d);
                      return (
                        <tr key={d.date} data-date={d.date}>
                          <td data-label={t('calendar.date')} className="nowrap">
                            <div>{fmt.date(d.date)}</div>
                          </td>
                          <td data-label={t('calendar.kind')}>
                            <div>
                              <span className={`badge day-badge-${d.kind.toLowerCase()}`}>{enumLabel(t, 'calendarDayKind', d.kind)}</span>
                              {d.religious && <span className="sub"> {t('calendar.religious')}</span>}
                              {d.substituteFor && <div className="sub">{t('calendar.substituteFor', { date: fmt.date(d.substituteFor) })}</div>}
                            </div>
                          </td>
                          <td data-label={t('calendar.reason')}>
                            <div>{dayName(d, lang)}</div>
                          </td>
                          <td data-label={t('calendar.basis')}>
                            <div className="sub">{d.basis}</div>
                          </td>
                          <td>
                            <div className="row-actions">
                              {entry ? (
                                <>
                                  <button
                                    type="button"
                                    className="btn btn-small"
                                    aria-label={t('calendar.editDay', { date: fmt.date(d.date) })}
                                    onClick={() => {
                                      setForm(entry);
                                      setEditing(d.date);
                                      setError(null);
                                      formRef.current?.querySelector<HTMLElement>('select, input:not([readonly])')?.focus();
                                    }}
                                  >
                                    {t('common.edit')}
                                  </button>
                                  <button type="button" className="btn btn-small" aria-label={t('calendar.removeDay', { date: fmt.date(d.date) })} onClick={() => void remove(d.date)} disabled={busy}>
                                    {t('calendar.remove')}
                                  </button>
                                </>
                              ) : (
                                <span className="sub">{t('calendar.derived')}</span>
                              )}
                            </div>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </div>
      </div>
    </section>
  );
}
