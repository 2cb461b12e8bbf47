import { useRef, useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n';
import { gql } from '../api/client';
import { splitErrors } from '../api/errors';
import { AnnounceMaintenanceWindowDocument, type MaintenanceImpact, type MaintenanceWindowFieldsFragment } from '../api/generated';
import { Field } from '../components/Field';
import { FormErrors, Notice } from '../components/Status';
import { missingFields, useFocusFirstError } from '../components/formErrors';

const FIELDS = ['startsAt', 'endsAt', 'descriptionKk', 'descriptionRu', 'descriptionEn', 'impact', 'offHoursReason'] as const;
const IMPACTS: MaintenanceImpact[] = ['FULL_OUTAGE', 'DEGRADED'];

/**
 * `YYYY-MM-DDTHH:MM` typed in Almaty time (UTC+5 since 1 March 2024) as an
 * ISO instant; the API applies the 000 §12 rules in that time zone.
 */
export function almatyInstant(local: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local)) return null;
  const d = new Date(`${local}:00+05:00`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

type Form = Record<(typeof FIELDS)[number], string>;
const EMPTY: Form = { startsAt: '', endsAt: '', descriptionKk: '', descriptionRu: '', descriptionEn: '', impact: 'FULL_OUTAGE', offHoursReason: '' };

/** A service's upcoming maintenance windows, and the announce form for its owner or the operator. */
export function MaintenanceSection({
  serviceId,
  windows,
  canAnnounce,
  onAnnounced,
}: {
  serviceId: string;
  windows: MaintenanceWindowFieldsFragment[];
  canAnnounce: boolean;
  onAnnounced: () => void;
}) {
  const { t, fmt, lang } = useI18n();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState<Form>(EMPTY);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState<Record<string, string>>({});
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstError(formRef, attempt);

  const errs = splitErrors(error, FIELDS, lang, { network: t('common.networkError'), unexpected: t('common.unexpectedError') });
  const byField: Record<string, string | undefined> = { ...errs.byField, ...missing };
  const set = (k: keyof Form, v: string) => setForm((f) => ({ ...f, [k]: v }));
  const description = (w: MaintenanceWindowFieldsFragment) => (lang === 'kk' ? w.descriptionKk : lang === 'en' ? (w.descriptionEn ?? w.descriptionRu) : w.descriptionRu);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setDone(false);
    const miss = missingFields(form, ['startsAt', 'endsAt', 'descriptionKk', 'descriptionRu'], t('common.fieldRequired'));
    setMissing(miss);
    if (Object.keys(miss).length) {
      setAttempt((a) => a + 1);
      return;
    }
    const startsAt = almatyInstant(form.startsAt);
    const endsAt = almatyInstant(form.endsAt);
    if (!startsAt || !endsAt) {
      setMissing({ ...(startsAt ? {} : { startsAt: t('common.fieldRequired') }), ...(endsAt ? {} : { endsAt: t('common.fieldRequired') }) });
      setAttempt((a) => a + 1);
      return;
    }
    setBusy(true);
    try {
      await gql(AnnounceMaintenanceWindowDocument, {
        input: {
          serviceId,
          startsAt,
          endsAt,
          descriptionKk: form.descriptionKk,
          descriptionRu: form.descriptionRu,
          descriptionEn: form.descriptionEn.trim() || null,
          impact: form.impact as MaintenanceImpact,
          offHoursReason: form.offHoursReason.trim() || null,
        },
      });
      setForm(EMPTY);
      setOpen(false);
      setDone(true);
      onAnnounced();
    } catch (err) {
      // The input stays as typed; the API's message goes next to its field.
      setError(err);
      setAttempt((a) => a + 1);
    } finally {
      setBusy(false);
    }
  }

  const text = (k: 'descriptionKk' | 'descriptionRu' | 'descriptionEn', required: boolean) => (
    <Field name={k} label={t(`maintenance.${k}` as MessageKey)} error={byField[k]} required={required}>
      {(p) => <textarea {...p} rows={2} value={form[k]} onChange={(e) => set(k, e.target.value)} />}
    </Field>
  );

  return (
    <section className="panel" aria-labelledby="mw-h" data-testid="maintenance">
      <h2 id="mw-h">{t('maintenance.title')}</h2>
      {done && <Notice>{t('maintenance.announced')}</Notice>}
      {windows.length === 0 ? (
        <p>{t('maintenance.none')}</p>
      ) : (
        <ul className="plain" data-testid="maintenance-list">
          {windows.map((w) => (
            <li key={w.id}>
              <strong>
                {fmt.dateTime(w.startsAt)} – {fmt.dateTime(w.endsAt)}
              </strong>{' '}
              · {t(`maintenance.impact.${w.impact}` as MessageKey)}
              {w.outsideDefaultWindow && <span className="badge badge-soon"> {t('maintenance.outside')}</span>}
              <div className="sub">{description(w)}</div>
              {w.offHoursReason && <div className="sub">{w.offHoursReason}</div>}
            </li>
          ))}
        </ul>
      )}
      {canAnnounce && !open && (
        <button type="button" className="btn" onClick={() => setOpen(true)} data-testid="maintenance-open">
          {t('maintenance.announce')}
        </button>
      )}
      {canAnnounce && open && (
        <form ref={formRef} onSubmit={submit} noValidate className="form" aria-busy={busy} data-testid="maintenance-form">
          <p className="sub">{t('maintenance.rule')}</p>
          <FormErrors messages={errs.general} />
          <Field name="startsAt" label={t('maintenance.startsAt')} error={byField.startsAt} required>
            {(p) => <input {...p} type="datetime-local" value={form.startsAt} onChange={(e) => set('startsAt', e.target.value)} />}
          </Field>
          <Field name="endsAt" label={t('maintenance.endsAt')} error={byField.endsAt} required>
            {(p) => <input {...p} type="datetime-local" value={form.endsAt} onChange={(e) => set('endsAt', e.target.value)} />}
          </Field>
          {text('descriptionKk', true)}
          {text('descriptionRu', true)}
          {text('descriptionEn', false)}
          <Field name="impact" label={t('maintenance.impact')} error={byField.impact} required>
            {(p) => (
              <select {...p} value={form.impact} onChange={(e) => set('impact', e.target.value)}>
                {IMPACTS.map((v) => (
                  <option key={v} value={v}>
                    {t(`maintenance.impact.${v}` as MessageKey)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field name="offHoursReason" label={t('maintenance.offHoursReason')} hint={t('maintenance.offHoursHint')} error={byField.offHoursReason}>
            {(p) => <input {...p} type="text" value={form.offHoursReason} onChange={(e) => set('offHoursReason', e.target.value)} />}
          </Field>
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {t('maintenance.announce')}
            </button>
            <button type="button" className="btn" onClick={() => setOpen(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
